package deep

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	ort "github.com/yalue/onnxruntime_go"
	"github.com/mdm2node/mdm2node/pipeline/deep/onnxgen"
)

// Temporary experiment; removed before hand-off.
func TestZZExperiment(t *testing.T) {
	path := os.Getenv("ZZ_MODEL")
	if path == "" {
		t.Skip()
	}
	if err := InitRuntime(testLibrary(t)); err != nil {
		t.Fatal(err)
	}
	threads, _ := strconv.Atoi(os.Getenv("ZZ_THREADS"))
	batch, _ := strconv.Atoi(os.Getenv("ZZ_BATCH"))
	iters, _ := strconv.Atoi(os.Getenv("ZZ_ITERS"))
	so, err := ort.NewSessionOptions()
	if err != nil {
		t.Fatal(err)
	}
	var lvl ort.GraphOptimizationLevel = ort.GraphOptimizationLevelEnableAll
	if os.Getenv("ZZ_LEVEL") == "ext" {
		lvl = ort.GraphOptimizationLevelEnableExtended
	}
	so.SetGraphOptimizationLevel(lvl)
	so.SetIntraOpNumThreads(threads)
	so.SetInterOpNumThreads(1)
	so.SetExecutionMode(ort.ExecutionModeSequential)
	for _, kv := range strings.Fields(os.Getenv("ZZ_CFG")) {
		k, v, _ := strings.Cut(kv, "=")
		if err := so.AddSessionConfigEntry(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if p := os.Getenv("ZZ_SAVE"); p != "" {
		so.SetOptimizedModelFilePath(p)
	}
	data, _ := os.ReadFile(path)
	start := time.Now()
	sess, err := ort.NewDynamicAdvancedSessionWithONNXData(data, []string{"input"}, []string{"features"}, so)
	if err != nil {
		t.Fatal(err)
	}
	startup := time.Since(start)
	defer sess.Destroy()
	input := make([]float32, batch*3*224*224)
	for i := range input {
		input[i] = float32(math.Sin(0.001 * float64(i)))
	}
	run := func() {
		in, _ := ort.NewTensor(ort.NewShape(int64(batch), 3, 224, 224), input)
		out := []ort.Value{nil}
		if err := sess.Run([]ort.Value{in}, out); err != nil {
			t.Fatal(err)
		}
		out[0].Destroy()
		in.Destroy()
	}
	run()
	run()
	c0 := processCPUTime()
	w0 := time.Now()
	best := time.Hour
	conc, _ := strconv.Atoi(os.Getenv("ZZ_CONC"))
	if conc > 1 {
		done := make(chan bool)
		for g := 0; g < conc; g++ {
			go func() {
				for i := 0; i < iters/conc; i++ {
					run()
				}
				done <- true
			}()
		}
		for g := 0; g < conc; g++ {
			<-done
		}
	} else {
		for i := 0; i < iters; i++ {
			s := time.Now()
			run()
			if d := time.Since(s); d < best {
				best = d
			}
		}
	}
	wall := time.Since(w0)
	cpu := processCPUTime() - c0
	n := float64(iters * batch)
	time.Sleep(200 * time.Millisecond)
	c1 := processCPUTime()
	time.Sleep(time.Second)
	idle := processCPUTime() - c1
	fmt.Printf("RESULT threads=%d batch=%d cfg=%q wall=%.1f best=%.1f cpu=%.1f ms/image startup=%d ms rss=%.0f MiB idleCPU/s=%v\n",
		threads, batch, os.Getenv("ZZ_CFG"), float64(wall.Microseconds())/1000/n, float64(best.Microseconds())/1000/float64(batch),
		float64(cpu.Microseconds())/1000/n, startup.Milliseconds(), float64(peakRSSKiB())/1024, idle)
}

func TestZZOps(t *testing.T) {
	data, err := os.ReadFile(os.Getenv("ZZ_OPS"))
	if err != nil {
		t.Skip()
	}
	info, err := onnxgen.Inspect(data)
	if err != nil {
		t.Fatal(err)
	}
	c := map[string]int{}
	for _, n := range info.Nodes {
		c[n.OpType+fmt.Sprint(len(n.Inputs))]++
	}
	fmt.Println("OPS", len(info.Nodes), c)
}
