package site

import (
	"reflect"
	"strings"
	"testing"
)

// Every key the file may hold is documented in Keys (and so in
// gflow.toml(5)), and Keys names no key the file does not take.
func TestEveryKeyIsDocumented(t *testing.T) {
	want := map[string]bool{}
	var walk func(table string, typ reflect.Type)
	walk = func(table string, typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
			if name == "" || name == "-" {
				continue
			}
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch {
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				walk(name, ft.Elem()) // an array of tables: [[sensors]]
			case ft.Kind() == reflect.Map:
				want[name+".PREFIX"] = true // [countries]: the keys are prefixes
			case ft.Kind() == reflect.Struct:
				walk(name, ft)
			default:
				want[join(table, name)] = true
			}
		}
	}
	walk("", reflect.TypeOf(fileConfig{}))

	documented := map[string]bool{}
	for _, k := range Keys {
		id := join(k.Table, k.Name)
		if documented[id] {
			t.Errorf("key %s is documented twice", id)
		}
		documented[id] = true
		if strings.TrimSpace(k.Text) == "" || k.Value == "" {
			t.Errorf("key %s has no description or value", id)
		}
		if !want[id] {
			t.Errorf("Keys documents %s, which the configuration file does not take", id)
		}
	}
	for id := range want {
		if !documented[id] {
			t.Errorf("key %s of the configuration file is not documented in Keys (pkg/site/keys.go), so gflow.toml(5) would not describe it", id)
		}
	}
}

func join(table, name string) string {
	if table == "" {
		return name
	}
	return table + "." + name
}

// The example shipped with the manual pages is a valid configuration.
func TestExampleFileLoads(t *testing.T) {
	if _, err := Parse("gflow.example.toml", []byte(ExampleFile)); err != nil {
		t.Fatal(err)
	}
}
