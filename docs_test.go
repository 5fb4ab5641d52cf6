package genexp_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
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
		pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, pkg := range pkgs {
			// Unexported names of the package that no plain word could be
			// (they have an upper-case letter inside).
			hidden := map[string]bool{}
			for _, f := range pkg.Files {
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
			p := doc.New(pkg, dir, 0)
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
}
