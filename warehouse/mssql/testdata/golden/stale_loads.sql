SELECT load_key
FROM staging.loads
WHERE load_key <> @p1
  AND APPLOCK_TEST(N'public', CONCAT(N'genexp.load.', load_key), N'Exclusive', N'Session') = 1
ORDER BY load_key
