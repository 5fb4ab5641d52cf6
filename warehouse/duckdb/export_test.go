package duckdb

// SetBeforeFeaturesHold sets the function MaterializeFeatures runs just
// before it writes its batch row, and returns what restores the previous.
func SetBeforeFeaturesHold(f func()) (restore func()) {
	old := beforeFeaturesHold
	beforeFeaturesHold = f
	return func() { beforeFeaturesHold = old }
}
