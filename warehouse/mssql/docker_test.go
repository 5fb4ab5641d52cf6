//go:build dockertest

// The Docker path is built only with -tags dockertest: the Docker client
// library roughly quintuples this package's cold test build (about 2m20s
// against 27s on a 2-core machine), which every fresh CI machine would pay.

package mssql_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/microsoft/go-mssqldb"
	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
)

const (
	mssqlImage = "mcr.microsoft.com/mssql/server"
	mssqlTag   = "2022-latest"
)

var (
	dockerPool     *dockertest.Pool
	dockerResource *dockertest.Resource
)

// dockerServer starts SQL Server 2022 in Docker and returns its DSN, or ""
// and why it could not.
func dockerServer() (dsn, why string) {
	pool, err := dockertest.NewPool("")
	if err != nil {
		return "", "no Docker client: " + oneLine(err)
	}
	if err := pool.Client.Ping(); err != nil {
		return "", "no Docker engine answers (" + oneLine(err) + ")"
	}
	b := make([]byte, 12)
	rand.Read(b)
	// SQL Server's password policy wants three character classes.
	password := "Gx-" + hex.EncodeToString(b) + "A1"
	res, err := pool.RunWithOptions(&dockertest.RunOptions{
		Repository: mssqlImage,
		Tag:        mssqlTag,
		Platform:   "linux/amd64",
		Env:        []string{"ACCEPT_EULA=Y", "MSSQL_SA_PASSWORD=" + password, "MSSQL_PID=Developer"},
	}, func(hc *dc.HostConfig) {
		hc.AutoRemove = true
		hc.RestartPolicy = dc.RestartPolicy{Name: "no"}
	})
	if err != nil {
		return "", fmt.Sprintf("a Docker engine answers but %s:%s did not start (%s)", mssqlImage, mssqlTag, oneLine(err))
	}
	// The container removes itself after 15 minutes even if the tests die.
	res.Expire(900)
	dockerPool, dockerResource = pool, res
	u := url.URL{Scheme: "sqlserver", User: url.UserPassword("sa", password), Host: "localhost:" + res.GetPort("1433/tcp"),
		RawQuery: "database=master&TrustServerCertificate=true"}
	dsn = u.String()
	pool.MaxWait = 3 * time.Minute
	err = pool.Retry(func() error {
		db, err := sql.Open("sqlserver", dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return db.PingContext(ctx)
	})
	if err != nil {
		stopDockerServer()
		return "", fmt.Sprintf("%s:%s started but did not accept connections within %s (%s)", mssqlImage, mssqlTag, pool.MaxWait, oneLine(err))
	}
	return dsn, ""
}

func stopDockerServer() {
	if dockerPool != nil && dockerResource != nil {
		dockerPool.Purge(dockerResource)
		dockerPool, dockerResource = nil, nil
	}
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
