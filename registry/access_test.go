package registry_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
)

func TestAPIKeyValidate(t *testing.T) {
	c, _ := registry.USCCCheckChar("91431202MA0000042")
	code := "91431202MA0000042" + string(c)
	tests := []struct {
		name   string
		k      registry.APIKey
		fields []string
	}{
		{"admin", registry.APIKey{Name: "管理员", Role: registry.RoleAdmin}, nil},
		{"bank", registry.APIKey{Name: "某银行", Role: registry.RoleBank}, nil},
		{"staff", registry.APIKey{Name: "鹤城区", Role: registry.RoleStaff, Scope: registry.KeyScope{RegionCode: "431202"}}, nil},
		{"enterprise, lower case", registry.APIKey{Name: "企业", Role: registry.RoleEnterprise, Scope: registry.KeyScope{USCC: strings.ToLower(code)}}, nil},
		{"no role, no name", registry.APIKey{}, []string{"role", "name"}},
		{"unknown role", registry.APIKey{Name: "x", Role: "root"}, []string{"role"}},
		{"blank name", registry.APIKey{Name: "  ", Role: registry.RoleAdmin}, []string{"name"}},
		{"long name", registry.APIKey{Name: strings.Repeat("长", 101), Role: registry.RoleAdmin}, []string{"name"}},
		{"control in name", registry.APIKey{Name: "a\nb", Role: registry.RoleAdmin}, []string{"name"}},
		{"staff without region", registry.APIKey{Name: "x", Role: registry.RoleStaff}, []string{"region_code"}},
		{"staff bad region", registry.APIKey{Name: "x", Role: registry.RoleStaff, Scope: registry.KeyScope{RegionCode: "4312"}}, []string{"region_code"}},
		{"staff with uscc", registry.APIKey{Name: "x", Role: registry.RoleStaff, Scope: registry.KeyScope{RegionCode: "431202", USCC: code}}, []string{"uscc"}},
		{"enterprise without uscc", registry.APIKey{Name: "x", Role: registry.RoleEnterprise}, []string{"uscc"}},
		{"enterprise bad uscc", registry.APIKey{Name: "x", Role: registry.RoleEnterprise, Scope: registry.KeyScope{USCC: code[:17] + "0"}}, []string{"uscc"}},
		{"bank with region", registry.APIKey{Name: "x", Role: registry.RoleBank, Scope: registry.KeyScope{RegionCode: "431202"}}, []string{"region_code"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.k.Validate()
			var got []string
			var ve *registry.ValidationError
			if errors.As(err, &ve) {
				for _, p := range ve.Problems {
					got = append(got, p.Field)
				}
			} else if err != nil {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Errorf("problem fields (-want +got):\n%s", diff)
			}
			if err == nil && tt.k.Role == registry.RoleEnterprise && tt.k.Scope.USCC != code {
				t.Errorf("USCC not normalized: %q", tt.k.Scope.USCC)
			}
		})
	}
}

func TestKeySecret(t *testing.T) {
	a, b := registry.NewKeySecret(), registry.NewKeySecret()
	if a == b || !strings.HasPrefix(a, registry.KeyPrefix) || len(a) != 46 {
		t.Errorf("NewKeySecret = %q, %q", a, b)
	}
	if h := registry.HashKey("abc"); h != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("HashKey(abc) = %s, want SHA-256 hex", h)
	}
}
