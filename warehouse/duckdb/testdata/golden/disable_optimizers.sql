SET GLOBAL disabled_optimizers = 'statistics_propagation'
