SELECT illness_label FROM dim_illness
