package seeds

// Labels returns the archetype label of each of the first n firms of seed
// (see archetypes.go), so black-box tests can check what a firm was built
// to be.
func Labels(n int, seed uint64) []string {
	out := make([]string, n)
	for i := range out {
		_, out[i] = firmAt(seed, i)
	}
	return out
}

// HasIndustryWord reports whether the generator has a name word for code.
func HasIndustryWord(code string) bool {
	_, ok := industryWords[code]
	return ok
}

// NearMissTargets lists the labels ("program@edition:criterion") of the
// near-miss targets.
func NearMissTargets() []string {
	out := make([]string, len(nearMisses))
	for k, t := range nearMisses {
		out[k] = t.label
	}
	return out
}
