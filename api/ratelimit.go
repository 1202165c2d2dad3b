package api

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// RateLimit is a token bucket: PerSecond requests a second on average, up
// to Burst at once. The zero value means the default of the limited route;
// a negative PerSecond turns the limit off.
type RateLimit struct {
	PerSecond float64
	Burst     int
}

// DefaultSelfCheckLimit limits anonymous self-checks per client address.
var DefaultSelfCheckLimit = RateLimit{PerSecond: 10, Burst: 20}

// allowAnonymous takes a token from the caller's bucket, or answers 429
// with Retry-After and returns false. Clients are told apart by address
// (c.ClientIP: the connection's, or a trusted proxy's X-Forwarded-For), an
// IPv6 address by its /64, the block one subscriber usually holds.
func (s *Server) allowAnonymous(c *gin.Context) bool {
	ok, wait := s.limiter.allow(clientKey(c.ClientIP()), s.cfg.Now())
	if ok {
		return true
	}
	c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	writeError(c, &Error{Status: http.StatusTooManyRequests, Code: CodeTooManyRequests,
		Message: "请求过于频繁，请稍后再试；使用 API 密钥不受此限 (too many requests; API keys are not limited)"})
	return false
}

func clientKey(ip string) string {
	a := net.ParseIP(ip)
	if a == nil || a.To4() != nil {
		return ip
	}
	return a.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// limiter keeps one token bucket per client. Buckets are swept lazily: a
// bucket idle long enough to be full again is the same as none.
type limiter struct {
	rate, burst float64
	mu          sync.Mutex
	buckets     map[string]*bucket
	swept       time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// sweepEvery is how often allow looks for idle buckets.
const sweepEvery = time.Minute

func newLimiter(l RateLimit) *limiter {
	if l == (RateLimit{}) {
		l = DefaultSelfCheckLimit
	}
	return &limiter{rate: l.PerSecond, burst: float64(max(l.Burst, 1)), buckets: map[string]*bucket{}}
}

// allow takes a token of key's bucket at now; when there is none it returns
// false and how long until there is.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	if l.rate < 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(l.burst, b.tokens+el.Seconds()*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	if l.rate == 0 {
		return false, time.Hour
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// sweep drops the buckets that have refilled, at most once per sweepEvery.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < sweepEvery {
		return
	}
	l.swept = now
	full := time.Duration(math.MaxInt64)
	if l.rate > 0 {
		full = time.Duration(l.burst / l.rate * float64(time.Second))
	}
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
}
