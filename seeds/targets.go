package seeds

import (
	"slices"

	"github.com/peiyu/peiyu/registry"
)

// targets are the plan targets of the two seed documents that the registry
// can measure (data/targets.json), each citing its sentence.
var targets = mustLoad[registry.Target]("data/targets.json")

// Targets returns the plan targets of the seed documents (台账), in the
// order of the file: Huaihua city's for 2026, then Hecheng district's for
// 2024. Each carries its region's name. The slice and everything in it are
// the caller's to modify.
func Targets() []registry.Target {
	out := make([]registry.Target, len(targets))
	for i, t := range targets {
		t.Metric.Honors = slices.Clone(t.Metric.Honors)
		if r, ok := RegionByCode(t.RegionCode); ok {
			t.RegionName = r.Name
		}
		out[i] = t
	}
	return out
}
