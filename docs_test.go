package genexp_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The documentation of exported names must not send the reader to
// unexported ones, which go doc and pkgsite do not show.
func TestExportedDocsNameNoUnexported(t *testing.T) {
	ident := regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
	for _, dir := range []string{".", "qc"} {
		fset := token.NewFileSet()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var files []*ast.File
		for _, e := range entries {
			if n := e.Name(); strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
				f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments)
				if err != nil {
					t.Fatal(err)
				}
				files = append(files, f)
			}
		}
		// Unexported names of the package that no plain word could be
		// (they have an upper-case letter inside).
		hidden := map[string]bool{}
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				var id *ast.Ident
				switch n := n.(type) {
				case *ast.FuncDecl:
					id = n.Name
				case *ast.TypeSpec:
					id = n.Name
				case *ast.ValueSpec:
					for _, name := range n.Names {
						if !name.IsExported() && name.Name != strings.ToLower(name.Name) {
							hidden[name.Name] = true
						}
					}
				}
				if id != nil && !id.IsExported() && id.Name != strings.ToLower(id.Name) {
					hidden[id.Name] = true
				}
				return true
			})
		}
		check := func(name, text string) {
			for _, w := range ident.FindAllString(text, -1) {
				if hidden[w] {
					t.Errorf("%s: the doc of %s names unexported %s", dir, name, w)
				}
			}
		}
		p, err := doc.NewFromFiles(fset, files, "github.com/genexp/genexp/"+dir)
		if err != nil {
			t.Fatal(err)
		}
		check("the package", p.Doc)
		for _, v := range append(p.Consts, p.Vars...) {
			check(strings.Join(v.Names, ", "), v.Doc)
		}
		for _, f := range p.Funcs {
			check(f.Name, f.Doc)
		}
		for _, ty := range p.Types {
			check(ty.Name, ty.Doc)
			for _, v := range append(ty.Consts, ty.Vars...) {
				check(strings.Join(v.Names, ", "), v.Doc)
			}
			for _, f := range append(ty.Funcs, ty.Methods...) {
				check(ty.Name+"."+f.Name, f.Doc)
			}
		}
	}
}
