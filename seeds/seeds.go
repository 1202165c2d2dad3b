// Package seeds holds Peiyu's product data and its demo firms: the
// administrative divisions of Huaihua city, the industry-chain taxonomy of the
// city's "5+10" modern industrial system (seed document 000), the plan
// targets of both seed documents (Targets), and a deterministic generator of
// synthetic firms that exercises every program of the cultivation ladder
// (see Generate).
//
// The data are JSON files under data/, embedded in the binary, so that a new
// county or chain is an edit of data rather than of code. Demo firms go into
// the registry through Load, which is idempotent.
package seeds

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
)

//go:embed data/*.json
var dataFS embed.FS

// Region levels.
const (
	LevelCity   = "city"
	LevelCounty = "county"
)

// Region is an administrative division (GB/T 2260) served by Peiyu.
type Region struct {
	// Code is the 6-digit division code, as in Firm.RegionCode and in
	// positions 3–8 of a USCC.
	Code string `json:"code"`
	// Name is the official name, e.g. 麻阳苗族自治县.
	Name string `json:"name"`
	// ShortName is the everyday short form, e.g. 麻阳.
	ShortName string `json:"short_name"`
	// Parent is the code of the enclosing division. The city's parent,
	// 430000 (Hunan), is not itself in the table.
	Parent string `json:"parent"`
	// Level is LevelCity or LevelCounty (districts and county-level cities
	// count as counties).
	Level string `json:"level"`
}

// Industry is one class of GB/T 4754-2017 with its official name and the
// niche markets (main products) typical of it in the chain.
type Industry struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Products []string `json:"products,omitempty"`
}

// Chain is one industry chain of the taxonomy. Its Key is the value stored in
// Firm.Chain.
type Chain struct {
	// Key is the Chinese name of the chain, e.g. 竹业.
	Key string `json:"key"`
	// Group is how seed document 000 classifies the chain: 传统产业升链,
	// 优势产业延链, 新兴产业强链, 特色产业 or 未来产业建链.
	Group string `json:"group"`
	// System is "5+10" for the ten industrial chains of the city's "5+10"
	// modern industrial system and "未来产业" for the five future-industry
	// directions. (The document names the ten chains but never lists the
	// "5"; the chains are read as the "10".)
	System string `json:"system"`
	// Industries are typical GB/T 4754-2017 classes of the chain's firms,
	// mostly manufacturing (section C).
	Industries []Industry `json:"industries"`
	// Products are the main-product directions of the chain, as the seed
	// documents name them where they do.
	Products []string `json:"products"`
	// Source says where in the seed documents the chain comes from.
	Source string `json:"source"`
}

// The tables are parsed once at start-up. They are embedded and covered by
// tests, so a parse error is a build defect and panics.
var (
	regions = mustLoad[Region]("data/regions.json")
	chains  = mustLoad[Chain]("data/chains.json")
)

func mustLoad[T any](name string) []T {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("seeds: %v", err))
	}
	var v []T
	if err := json.Unmarshal(b, &v); err != nil {
		panic(fmt.Sprintf("seeds: %s: %v", name, err))
	}
	return v
}

// Regions returns Huaihua city followed by its twelve county-level divisions,
// in code order. The slice is the caller's to modify.
func Regions() []Region {
	return slices.Clone(regions)
}

// RegionByCode returns the region with the given 6-digit code. ok is false
// when Peiyu does not know the code.
func RegionByCode(code string) (r Region, ok bool) {
	for _, r := range regions {
		if r.Code == code {
			return r, true
		}
	}
	return Region{}, false
}

// Chains returns the industry-chain taxonomy: the ten "5+10" chains in the
// order seed document 000 lists them, then the five future industries. The
// slice and everything in it are the caller's to modify.
func Chains() []Chain {
	out := make([]Chain, len(chains))
	for i, c := range chains {
		out[i] = c.clone()
	}
	return out
}

// ChainByKey returns the chain whose key (Chinese name) is key. ok is false
// for an unknown key.
func ChainByKey(key string) (c Chain, ok bool) {
	for _, c := range chains {
		if c.Key == key {
			return c.clone(), true
		}
	}
	return Chain{}, false
}

func (c Chain) clone() Chain {
	c.Industries = slices.Clone(c.Industries)
	for i := range c.Industries {
		c.Industries[i].Products = slices.Clone(c.Industries[i].Products)
	}
	c.Products = slices.Clone(c.Products)
	return c
}
