package synth

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/internal/dcmuid"
	"github.com/mdm2node/mdm2node/internal/testutil"
)

// smallParams keeps the test studies to a few hundred kilobytes.
func smallParams(out string, seed uint64) Params {
	return Params{Out: out, N: 2, Seed: seed, CTMatrix: 96, CTSlices: 10, MRMatrix: 64, MRSlices: 8, Workers: 2}
}

// readTree returns the contents of every file under dir by relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// generated is one generated cohort shared by the tests of this file.
type generated struct {
	dir     string
	records []Record
}

func generate(t *testing.T, seed uint64) generated {
	t.Helper()
	dir := t.TempDir()
	recs, err := Generate(smallParams(dir, seed), nil)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return generated{dir, recs}
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, b, c := generate(t, 3), generate(t, 3), generate(t, 4)
	ta, tb, tc := readTree(t, a.dir), readTree(t, b.dir), readTree(t, c.dir)
	if len(ta) != len(tb) {
		t.Fatalf("same seed wrote %d and %d files", len(ta), len(tb))
	}
	for name, data := range ta {
		if !bytes.Equal(data, tb[name]) {
			t.Errorf("same seed, different bytes in %s", name)
		}
	}
	same := 0
	for name, data := range ta {
		if bytes.Equal(data, tc[name]) {
			same++
		}
	}
	if same != 0 {
		t.Errorf("seeds 3 and 4 wrote %d identical files", same)
	}
}

func TestGenerateRequiresOutputFolder(t *testing.T) {
	if _, err := Generate(Params{N: 1}, nil); !errors.Is(err, ErrParams) {
		t.Fatalf("Generate without Out = %v, want ErrParams", err)
	}
}

func TestGenerateLayoutAndManifest(t *testing.T) {
	g := generate(t, 3)
	for _, r := range g.records {
		for _, role := range Roles {
			for _, sub := range []string{role, "SEG_" + role} {
				entries, err := os.ReadDir(filepath.Join(g.dir, r.Folder, sub))
				if err != nil || len(entries) == 0 {
					t.Errorf("study %s folder %s: %v, %d files", r.StudyID, sub, err, len(entries))
				}
			}
		}
		if err := dcmuid.Check(r.StudyUID); err != nil {
			t.Errorf("study UID %q: %v", r.StudyUID, err)
		}
	}

	f, err := os.Open(filepath.Join(g.dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if len(rows) != 1+len(g.records) {
		t.Fatalf("manifest has %d rows, want %d", len(rows), 1+len(g.records))
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	for i, r := range g.records {
		row := rows[i+1]
		if row[col("study_uid")] != r.StudyUID || row[col("folder")] != r.Folder {
			t.Errorf("row %d = %v, want study %s in %s", i, row, r.StudyUID, r.Folder)
		}
		if row[col("label")] != LabelLipoma && row[col("label")] != LabelWDLPS {
			t.Errorf("row %d label %q", i, row[col("label")])
		}
		if age, err := strconv.Atoi(row[col("age")]); err != nil || age < minAge || age > maxAge {
			t.Errorf("row %d age %q", i, row[col("age")])
		}
		if _, err := strconv.ParseFloat(row[col("ldh")], 64); err != nil {
			t.Errorf("row %d ldh %q", i, row[col("ldh")])
		}
	}
}

func TestGeneratedFilesValidateWithDciodvfy(t *testing.T) {
	dciodvfy := testutil.RequireTool(t, "dciodvfy")
	g := generate(t, 3)
	study := filepath.Join(g.dir, g.records[0].Folder)
	files := []string{
		filepath.Join(study, RoleCT, "IM0005.dcm"),
		filepath.Join(study, RoleT1WI, "IM0004.dcm"),
		filepath.Join(study, RoleT2FS, "IM0004.dcm"),
	}
	for _, role := range Roles {
		files = append(files, filepath.Join(study, "SEG_"+role, "SEG.dcm"))
	}
	for _, f := range files {
		out, _ := exec.Command(dciodvfy, f).CombinedOutput()
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(line, "Error") {
				t.Errorf("%s: %s", f, line)
			}
		}
	}
}

func TestGeneratedHeadersWithDcmdump(t *testing.T) {
	dcmdump := testutil.RequireTool(t, "dcmdump")
	g := generate(t, 3)
	study := filepath.Join(g.dir, g.records[0].Folder)
	cases := []struct {
		file string
		want []string
	}{
		{filepath.Join(RoleCT, "IM0001.dcm"), []string{"CTImageStorage", "(0018,0010) LO [IOMEPROL", "(0028,1052) DS [-1024]", "LittleEndianExplicit", "[SYNTH^" + g.records[0].StudyID + "]"}},
		{filepath.Join(RoleT1WI, "IM0001.dcm"), []string{"MRImageStorage", "(0018,0080) DS", "(0018,0081) DS", "(0020,0037) DS [1\\0\\0\\0\\1\\0]"}},
		{filepath.Join(RoleT2FS, "IM0001.dcm"), []string{"MRImageStorage", "(0018,0022) CS [", "FS"}},
	}
	for _, c := range cases {
		out, err := exec.Command(dcmdump, filepath.Join(study, c.file)).CombinedOutput()
		if err != nil {
			t.Fatalf("dcmdump %s: %v\n%s", c.file, err, out)
		}
		for _, w := range c.want {
			if !bytes.Contains(out, []byte(w)) {
				t.Errorf("%s: dcmdump output lacks %q", c.file, w)
			}
		}
	}
}

// segCheckScript prints, for one study folder and role, the SEG's number of
// set pixels and the mean CT value (HU) of the source voxels under the
// mask, reading both with pydicom.
const segCheckScript = `
import sys, os, pydicom, numpy as np
study, role = sys.argv[1], sys.argv[2]
seg = pydicom.dcmread(os.path.join(study, "SEG_" + role, "SEG.dcm"))
px = seg.pixel_array.reshape(int(seg.NumberOfFrames), seg.Rows, seg.Columns)
src = {}
for name in os.listdir(os.path.join(study, role)):
    ds = pydicom.dcmread(os.path.join(study, role, name))
    src[ds.SOPInstanceUID] = ds
values = []
for f, item in enumerate(seg.PerFrameFunctionalGroupsSequence):
    ds = src[item.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID]
    a = ds.pixel_array.astype(float) * float(getattr(ds, "RescaleSlope", 1)) + float(getattr(ds, "RescaleIntercept", 0))
    values.extend(a[px[f] == 1])
print(int(px.sum()), "%.3f" % np.mean(values))
`

func TestSEGVoxelCountsMatchMasks(t *testing.T) {
	py := testutil.RequirePython(t, "pydicom", "numpy")
	dir := t.TempDir()
	p := smallParams(dir, 3)
	p.N = 1
	st, err := Render(p, 1)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Write(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range Roles {
		out, err := exec.Command(py, "-c", segCheckScript, filepath.Join(dir, rec.Folder), role).CombinedOutput()
		if err != nil {
			t.Fatalf("pydicom %s: %v\n%s", role, err, out)
		}
		fields := strings.Fields(string(out))
		se := st.Series[role]
		if fields[0] != strconv.Itoa(se.Mask.Count()) {
			t.Errorf("%s SEG voxels = %s, generator mask = %d", role, fields[0], se.Mask.Count())
		}
		// The stored values are the generator's values rounded (and for CT
		// shifted by the rescale intercept), so the means agree within half
		// a unit.
		got, _ := strconv.ParseFloat(fields[1], 64)
		sum := 0.0
		for i, m := range se.Mask.Data {
			if m != 0 {
				sum += float64(se.Image.Data[i])
			}
		}
		want := sum / float64(se.Mask.Count())
		if d := got - want; d > 0.5 || d < -0.5 {
			t.Errorf("%s mean under mask: pydicom %.3f, generator %.3f", role, got, want)
		}
	}
}
