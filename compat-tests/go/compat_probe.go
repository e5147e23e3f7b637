package zk

// Added to the package by compat-tests/go/run.sh (not part of go-zookeeper): the harness's start-up
// probe, waitForStart in server_help.go, parses `srvr` with FLWSrvr, whose regular expression only
// accepts the 3.4-era "built on MM/DD/YYYY" date; ZooKeeper 3.5+ prints "built on YYYY-MM-DD", so the
// probe never succeeds, against Java 3.8 as against rzk. run.sh points waitForStart here instead:
// every server answers `srvr` with a version line and a serving mode (a quorum member that is not
// serving yet answers "This ZooKeeper instance is not currently serving requests"). FLWSrvr itself
// is left as it is (TestFLWSrvr tests it against canned 3.4 output).

import (
	"regexp"
	"time"
)

var (
	compatVersionRe = regexp.MustCompile(`(?m)^Zookeeper version: \S`)
	compatModeRe    = regexp.MustCompile(`(?m)^Mode: (standalone|leader|follower|observer)\s*$`)
)

func compatServing(servers []string, timeout time.Duration) bool {
	for _, s := range FormatServers(servers) {
		out, err := fourLetterWord(s, "srvr", timeout)
		if err != nil || !compatVersionRe.Match(out) || !compatModeRe.Match(out) {
			return false
		}
	}
	return true
}
