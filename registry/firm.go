package registry

// Firm is one enterprise's profile: the single JSON shape of SPEC §3 used by
// the registry API, self-check, import/export and the rule packs.
//
// Amounts are integers in yuan. A value the firm has not reported is absent
// (a nil pointer), never zero: a rule that needs it reports "missing" rather
// than failing silently. Dates are "YYYY-MM-DD" strings, checked by Validate.
type Firm struct {
	USCC         string      `json:"uscc,omitempty"`
	Name         string      `json:"name,omitempty"`
	RegionCode   string      `json:"region_code,omitempty"`
	IndustryCode string      `json:"industry_code,omitempty"`
	Chain        string      `json:"chain,omitempty"`
	Established  string      `json:"established,omitempty"`
	Niche        *Niche      `json:"niche,omitempty"`
	Years        []Year      `json:"years,omitempty"`
	IP           *IP         `json:"ip,omitempty"`
	Honors       []Honor     `json:"honors,omitempty"`
	Compliance   *Compliance `json:"compliance,omitempty"`
}

// Niche describes the firm's main product and its niche market (细分市场).
type Niche struct {
	Market            string   `json:"market,omitempty"`
	Since             string   `json:"since,omitempty"`
	Share             *float64 `json:"share,omitempty"`
	DomesticRank      *int     `json:"domestic_rank,omitempty"`
	GlobalRank        *int     `json:"global_rank,omitempty"`
	KeyField          *bool    `json:"key_field,omitempty"`
	StrategicEmerging *bool    `json:"strategic_emerging,omitempty"`
	GapFilling        *bool    `json:"gap_filling,omitempty"`
	YearsInField      *int     `json:"years_in_field,omitempty"`
}

// Year is one fiscal year's figures. Year is required; every other field is
// optional and absent when unknown.
type Year struct {
	Year                 int      `json:"year"`
	Employees            *int64   `json:"employees,omitempty"`
	TechStaff            *int64   `json:"tech_staff,omitempty"`
	RDStaff              *int64   `json:"rd_staff,omitempty"`
	Revenue              *int64   `json:"revenue,omitempty"`
	MainRevenue          *int64   `json:"main_revenue,omitempty"`
	HighTechRevenue      *int64   `json:"high_tech_revenue,omitempty"`
	TotalCost            *int64   `json:"total_cost,omitempty"`
	RDExpense            *int64   `json:"rd_expense,omitempty"`
	DomesticRDExpense    *int64   `json:"domestic_rd_expense,omitempty"`
	TotalAssets          *int64   `json:"total_assets,omitempty"`
	TotalLiabilities     *int64   `json:"total_liabilities,omitempty"`
	NetProfit            *int64   `json:"net_profit,omitempty"`
	EquityFinancing      *int64   `json:"equity_financing,omitempty"`
	TechContractTurnover *int64   `json:"tech_contract_turnover,omitempty"`
	SRDIScore            *float64 `json:"srdi_score,omitempty"`
	DigitalLevel         *int     `json:"digital_level,omitempty"`
}

// IP counts the firm's valid intellectual property related to its main
// products. Class I (Ⅰ类) is invention patents and equivalents; Class II (Ⅱ类)
// is utility models, designs, software copyright and the like.
type IP struct {
	Class1              *int `json:"class1,omitempty"`
	Class1HighValue     *int `json:"class1_high_value,omitempty"`
	Class1SelfDeveloped *int `json:"class1_self_developed,omitempty"`
	Class2              *int `json:"class2,omitempty"`
}

// Honor is a certification, title or award the firm holds. A certification
// is valid at a date d when Issued ≤ d ≤ Expires (no Expires: no end).
type Honor struct {
	Kind    string `json:"kind"`
	Level   string `json:"level,omitempty"`
	Issued  string `json:"issued,omitempty"`
	Expires string `json:"expires,omitempty"`
	Number  string `json:"number,omitempty"`
	Rank    *int   `json:"rank,omitempty"`
}

// Compliance is the firm's record of incidents and list memberships.
type Compliance struct {
	Incidents          []Incident `json:"incidents,omitempty"`
	AbnormalList       *bool      `json:"abnormal_list,omitempty"`
	SeriousDishonesty  *bool      `json:"serious_dishonesty,omitempty"`
	ProhibitedIndustry *bool      `json:"prohibited_industry,omitempty"`
}

// Incident is one safety, quality, environmental or other violation.
type Incident struct {
	Date  string `json:"date"`
	Kind  string `json:"kind"`
	Major bool   `json:"major,omitempty"`
}

// Honor kinds known to the product (SPEC §3). The list is extendable: an
// unknown kind is accepted if it is a lower-case identifier.
const (
	HonorTechSME            = "tech_sme"
	HonorInnovativeSME      = "innovative_sme"
	HonorSpecializedSME     = "specialized_sme"
	HonorLittleGiant        = "little_giant"
	HonorChampion           = "champion"
	HonorHNTE               = "hnte"
	HonorRDInstitution      = "rd_institution"
	HonorSciAward           = "sci_award"
	HonorStandardLed        = "standard_led"
	HonorQualityAward       = "quality_award"
	HonorQMSCert            = "qms_cert"
	HonorOwnBrand           = "own_brand"
	HonorChuangkeTop500     = "chuangke_top500"
	HonorChuangkeTop50      = "chuangke_top50"
	HonorIPDemo             = "ip_demo"
	HonorInnovationPlatform = "innovation_platform"
	HonorCloudAdoption      = "cloud_adoption"
)

// KnownHonorKinds lists the honor kinds of SPEC §3 with their Chinese names.
var KnownHonorKinds = map[string]string{
	HonorTechSME:            "科技型中小企业",
	HonorInnovativeSME:      "创新型中小企业",
	HonorSpecializedSME:     "专精特新中小企业",
	HonorLittleGiant:        "专精特新“小巨人”企业",
	HonorChampion:           "制造业单项冠军",
	HonorHNTE:               "高新技术企业",
	HonorRDInstitution:      "研发机构",
	HonorSciAward:           "科学技术奖",
	HonorStandardLed:        "主导制定标准",
	HonorQualityAward:       "质量奖",
	HonorQMSCert:            "质量管理体系认证",
	HonorOwnBrand:           "自主品牌",
	HonorChuangkeTop500:     "创客中国全国500强",
	HonorChuangkeTop50:      "创客中国全国50强",
	HonorIPDemo:             "知识产权示范/优势企业",
	HonorInnovationPlatform: "创新平台",
	HonorCloudAdoption:      "上云企业",
	"tech_innovation_demo":  "技术创新示范企业",
	// Recognitions the finance whitelist reads (finance.md §5.3 R1, R3).
	"key_project":   "重点项目名单（“五个100”等）企业",
	"green_factory": "绿色工厂",
}

// Honor levels, highest first. Standards use "international" and "industry"
// as well, so those are accepted too.
const (
	LevelInternational = "international"
	LevelNational      = "national"
	LevelIndustry      = "industry"
	LevelProvincial    = "provincial"
	LevelCity          = "city"
	LevelCounty        = "county"
)

// levelRank orders levels for "provincial or higher" comparisons. An
// industry standard sits between national and provincial.
var levelRank = map[string]int{
	LevelInternational: 6,
	LevelNational:      5,
	LevelIndustry:      4,
	LevelProvincial:    3,
	LevelCity:          2,
	LevelCounty:        1,
}

// LevelAtLeast reports whether level is the same as or higher than min.
// An unknown level is below every known one, and an unknown min (a typo in
// a rule) accepts nothing rather than everything.
func LevelAtLeast(level, min string) bool {
	return levelRank[level] > 0 && levelRank[min] > 0 && levelRank[level] >= levelRank[min]
}
