package points_test

import (
	"reflect"
	"testing"

	"github.com/peiyu/peiyu/rules/points"
)

// TestHashCoversEveryParameter guards Model.Hash, which names the stored
// cohort distributions a model can reuse: changing any field that affects
// a firm's points must change the hash, or a screening would rank firms
// against distributions built under other parameters. Only the texts are
// left out on purpose. A new Model field fails this test until Hash (or
// the list of texts below) includes it.
func TestHashCoversEveryParameter(t *testing.T) {
	texts := map[string]bool{"Name": true, "Effective": true, "Basis": true}
	base := points.Default().Hash()
	typ := reflect.TypeOf(points.Model{})
	for i := range typ.NumField() {
		f := typ.Field(i)
		m := *points.Default() // a copy: Default is shared; mutate replaces slices and maps
		v := reflect.ValueOf(&m).Elem().Field(i)
		if !mutate(v) {
			t.Errorf("field %s (%s): the test cannot change it; teach mutate", f.Name, f.Type)
			continue
		}
		changed := m.Hash() != base
		switch {
		case texts[f.Name] && changed:
			t.Errorf("changing the text %s changed the hash: stored distributions would be rebuilt for a wording change", f.Name)
		case !texts[f.Name] && !changed:
			t.Errorf("changing %s did not change the hash", f.Name)
		}
	}
}

// mutate changes v in place to a different value of its type.
func mutate(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Float64:
		v.SetFloat(v.Float() + 0.125)
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
			return true
		}
		// Change the first element, so the length stays valid.
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		if !mutate(c.Index(0)) {
			return false
		}
		v.Set(c)
	case reflect.Map:
		c := reflect.MakeMap(v.Type())
		for _, k := range v.MapKeys() {
			c.SetMapIndex(k, v.MapIndex(k))
		}
		k := reflect.New(v.Type().Key()).Elem()
		if !mutate(k) {
			return false
		}
		c.SetMapIndex(k, reflect.Zero(v.Type().Elem()))
		v.Set(c)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Field(i).CanSet() && mutate(v.Field(i)) {
				return true
			}
		}
		return false
	default:
		return false
	}
	return true
}
