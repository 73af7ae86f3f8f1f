package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkLatency measures the time from the end of a push to the report's
// arrival at the receiver, for synthetic studies of clinical size (CT
// 512 x 512 x 40, MR 320 x 320 x 30, the `mdm2node synth` defaults). The
// push ends when storescu returns after the last C-STORE-RSP. Each pipeline
// stage's time comes from the node's audit log. The quiet period is 1 s and is
// part of the measured time. MDM2NODE_LATENCY_BUNDLE names the model bundle
// to score with; without it the test model (multimodal-deep) is trained
// first. Run it with -benchtime 3x; docs/BENCHMARKS-latency.md has results.
func BenchmarkLatency(b *testing.B) {
	bundle := os.Getenv("MDM2NODE_LATENCY_BUNDLE")
	if bundle == "" {
		bundle = trainedModel(b)
	}
	dir := b.TempDir()
	receiver := startNode(b, "RECEIVER", filepath.Join(dir, "receiver"), "")
	scorer := startNode(b, "MDM2NODE", filepath.Join(dir, "node"), pipelineConfig(bundle, receiver.port, ""))

	stages := map[string]time.Duration{}
	var order []string
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// 1. A new study of clinical size, written outside the timer.
		b.StopTimer()
		study := filepath.Join(dir, fmt.Sprintf("study%d", i))
		run(b, "synth", "-out", study, "-n", "1", "-seed", strconv.Itoa(500+i), "-q")
		studyUID, folder := synthStudy(b, study)
		b.StartTimer()

		// 2. Push, then wait for the report of that study.
		scorer.push(b, folder)
		pushed := time.Now()
		deadline := pushed.Add(5 * time.Minute)
		for {
			files, _ := filepath.Glob(filepath.Join(receiver.dataDir, studyUID, "*", "*.dcm"))
			if len(files) > 0 {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("no report for study %d within 5 min:\n%s", i, scorer.log.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		latency := time.Since(pushed)
		total += latency
		fmt.Printf("study %d: report %.2f s after the last instance\n", i, latency.Seconds())
	}
	b.StopTimer()
	fmt.Printf("b.N = %d\n", b.N)

	// 3. Stage times of every run, from the audit log.
	events := pipelineEvents(b, scorer)
	for _, e := range events {
		_, list, ok := strings.Cut(e.Detail, "; ")
		if !ok {
			continue
		}
		for _, part := range strings.Split(list, ", ") {
			name, value, ok := strings.Cut(part, " ")
			d, err := time.ParseDuration(value)
			if !ok || err != nil {
				continue
			}
			if _, seen := stages[name]; !seen {
				order = append(order, name)
			}
			stages[name] += d
		}
	}
	mean := total / time.Duration(b.N)
	b.ReportMetric(mean.Seconds(), "s/report")
	var sum time.Duration
	for _, name := range order {
		sum += stages[name]
	}
	for _, name := range order {
		per := stages[name] / time.Duration(len(events))
		fmt.Printf("stage %-10s mean %6d ms, %4.1f %% of the mean latency\n", name, per.Milliseconds(),
			100*per.Seconds()/mean.Seconds())
	}
	fmt.Printf("%d runs audited; mean latency %.2f s, of which stages %.2f s, quiet period 1 s, rest (tracker polling, queue, delivery association) %.2f s\n",
		len(events), mean.Seconds(), (sum / time.Duration(len(events))).Seconds(),
		mean.Seconds()-(sum/time.Duration(len(events))).Seconds()-1)
}
