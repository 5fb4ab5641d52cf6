//go:build !dockertest

package mssql_test

// dockerServer reports that this test binary cannot start SQL Server: the
// Docker path (docker_test.go) is built only with -tags dockertest.
func dockerServer() (dsn, why string) {
	return "", "the Docker path is not built in (go test -tags dockertest ./warehouse/mssql starts mcr.microsoft.com/mssql/server:2022-latest)"
}

func stopDockerServer() {}
