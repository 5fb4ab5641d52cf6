package mssql_test

import (
	"context"
	"fmt"
	"log"

	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/mssql"
)

// Open connects, creating or migrating the schema; ${NAME} is read from the
// environment, so the password never appears on a command line.
func ExampleOpen() {
	w, err := mssql.Open("sqlserver://loader:${GENEXP_DB_PASSWORD}@db.example.com:1433?database=genexp&busy_timeout=30m")
	if err != nil {
		log.Fatal(err) // the error shows the DSN redacted
	}
	defer w.Close()
	st, err := w.Status(context.Background(), warehouse.StatusRequest{Runs: 5})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range st.Studies {
		fmt.Println(s.Study, s.BatchID, s.Facts)
	}
}
