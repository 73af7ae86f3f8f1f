package series

import (
	"strings"
	"testing"
)

var axial = [6]float64{1, 0, 0, 0, 1, 0}

// mr builds an MR SeriesInfo in the style of the named vendor's headers.
func mr(desc string, seq, variant, options []string, tr, te float64) SeriesInfo {
	return SeriesInfo{
		Modality: "MR", SeriesDescription: desc, ProtocolName: desc,
		ImageType:        []string{"ORIGINAL", "PRIMARY", "M", "ND"},
		ScanningSequence: seq, SequenceVariant: variant, ScanOptions: options,
		RepetitionTime: tr, EchoTime: te, HasRepetitionTime: true, HasEchoTime: true,
		ImageOrientation: axial, HasOrientation: true, Instances: 30, Frames: 30,
	}
}

func ct(desc, agent string, imageType ...string) SeriesInfo {
	if len(imageType) == 0 {
		imageType = []string{"ORIGINAL", "PRIMARY", "AXIAL"}
	}
	return SeriesInfo{
		Modality: "CT", SeriesDescription: desc, ContrastBolusAgent: agent, ImageType: imageType,
		ImageOrientation: axial, HasOrientation: true, Instances: 80, Frames: 80,
	}
}

func with(s SeriesInfo, change func(*SeriesInfo)) SeriesInfo {
	change(&s)
	return s
}

func TestEvaluateRoles(t *testing.T) {
	rules := DefaultRules()
	cases := []struct {
		name   string
		series SeriesInfo
		role   Role
		want   bool
		reason string // part of the rejection reason, when want is false
	}{
		// Siemens: protocol names such as t1_tse_tra, ScanOptions FS.
		{"siemens t1 tse", mr("t1_tse_tra", []string{"SE"}, []string{"SK", "SP", "OSP"}, []string{"PFP"}, 550, 11), RoleT1WI, true, ""},
		{"siemens t2 tse fs", mr("t2_tse_fs_tra", []string{"SE"}, []string{"SK", "SP", "OSP"}, []string{"FS", "PFP"}, 4000, 85), RoleT2FS, true, ""},
		{"siemens t2 tirm stir", with(mr("t2_tirm_tra", []string{"SE", "IR"}, []string{"SK", "SP", "MP"}, []string{"IR"}, 5000, 60), func(s *SeriesInfo) {
			s.InversionTime, s.HasInversionTime = 160, true
		}), RoleT2FS, true, ""},
		{"siemens t2 tse without fs", mr("t2_tse_tra", []string{"SE"}, []string{"SK", "SP"}, nil, 4000, 85), RoleT2FS, false, "no fat suppression"},
		{"siemens post-contrast t1 vibe fs", mr("t1_vibe_fs_tra_post", []string{"GR"}, []string{"SP", "SK"}, []string{"FS"}, 4.2, 1.9), RoleT1WI, false, "fat-suppressed"},
		{"siemens post-contrast t1 vibe fs as t2fs", mr("t1_vibe_fs_tra_post", []string{"GR"}, []string{"SP", "SK"}, []string{"FS"}, 4.2, 1.9), RoleT2FS, false, "exclude pattern"},
		{"siemens dwi", mr("ep2d_diff_b50_800_tra", []string{"EP"}, []string{"SK", "SP"}, []string{"FS"}, 5600, 70), RoleT2FS, false, "scanning sequence"},
		{"siemens adc", with(mr("ep2d_diff_tra_ADC", []string{"EP"}, []string{"SK"}, []string{"FS"}, 5600, 70), func(s *SeriesInfo) {
			s.ImageType = []string{"DERIVED", "PRIMARY", "DIFFUSION", "ADC"}
		}), RoleT2FS, false, "image type"},
		{"siemens localizer", with(mr("localizer", []string{"GR"}, []string{"SP"}, nil, 8.6, 4), func(s *SeriesInfo) {
			s.ImageType = []string{"ORIGINAL", "PRIMARY", "LOCALIZER"}
		}), RoleT1WI, false, "image type"},
		{"siemens t1 coronal", with(mr("t1_tse_cor", []string{"SE"}, []string{"SK"}, nil, 550, 11), func(s *SeriesInfo) {
			s.ImageOrientation = [6]float64{1, 0, 0, 0, 0, -1}
		}), RoleT1WI, false, "not axial"},

		// GE: descriptions such as "AX T1 FSE", ScanOptions FAST_GEMS.
		{"ge t1 fse", mr("AX T1 FSE", []string{"SE"}, []string{"SK"}, []string{"FAST_GEMS", "EDR_GEMS", "SAT_GEMS"}, 600, 9), RoleT1WI, true, ""},
		{"ge t2 frfse fs", mr("AX T2 FRFSE FS", []string{"SE"}, []string{"SK"}, []string{"FAST_GEMS", "EDR_GEMS"}, 4500, 90), RoleT2FS, true, ""},
		{"ge t2 fse plain", mr("AX T2 FSE", []string{"SE"}, []string{"SK"}, []string{"FAST_GEMS"}, 4500, 90), RoleT2FS, false, "no fat suppression"},
		{"ge 3-plane loc", mr("3-Plane Loc", []string{"GR"}, []string{"SS"}, nil, 5, 1.6), RoleT1WI, false, "exclude pattern"},
		{"ge post-contrast t1 fs", mr("AX T1 FSE FS +C", []string{"SE"}, []string{"SK"}, []string{"FAST_GEMS", "FS"}, 600, 9), RoleT1WI, false, "fat-suppressed"},
		{"ge ct with agent", with(ct("5.0 mm Body", "OMNIPAQUE 350"), func(s *SeriesInfo) { s.Manufacturer = "GE MEDICAL SYSTEMS" }), RoleCT, true, ""},
		{"ge ct scout", ct("Scout", "", "ORIGINAL", "PRIMARY", "LOCALIZER"), RoleCT, false, "image type"},

		// Philips: descriptions such as T2W_SPAIR_TRA, sequences named TSE.
		{"philips t1 tse", mr("T1W_TSE_TRA", []string{"SE"}, []string{"SK"}, nil, 500, 15), RoleT1WI, true, ""},
		{"philips t2 spair", mr("T2W_SPAIR_TRA", []string{"SE"}, []string{"SK"}, nil, 3500, 80), RoleT2FS, true, ""},
		{"philips dwi", mr("DWI_b1000_TRA", []string{"SE"}, []string{"SK"}, []string{"FS"}, 3500, 80), RoleT2FS, false, "exclude pattern"},
		{"philips ct surview", ct("Surview", "", "ORIGINAL", "PRIMARY", "LOCALIZER"), RoleCT, false, "image type"},
		{"philips ct venous", ct("Venous phase 5mm", ""), RoleCT, true, ""},
		{"philips ct reformat", ct("Venous Cor MPR", "", "DERIVED", "SECONDARY", "REFORMATTED"), RoleCT, false, "image type"},

		// Canon/Toshiba: descriptions such as "FE T1 AX" and "CE" for contrast.
		{"canon t1", mr("T1 FSE AX", []string{"SE"}, nil, nil, 520, 10), RoleT1WI, true, ""},
		{"canon t2 fatsat", mr("T2 FSE FatSat AX", []string{"SE"}, nil, nil, 4200, 95), RoleT2FS, true, ""},
		{"canon ct ce", ct("Body 5.0 CE", ""), RoleCT, true, ""},
		{"canon ct plain", ct("Body 5.0 Plain", ""), RoleCT, false, "exclude pattern"},
		{"ct without any contrast evidence", ct("Body 5.0", "NONE"), RoleCT, false, "no contrast"},

		// Timing outside the ranges, and modality mismatch.
		{"t2-like timing for t1wi", mr("t1_tse_tra", []string{"SE"}, nil, nil, 4000, 90), RoleT1WI, false, "repetition time"},
		{"mr as ct", mr("t1_tse_tra", []string{"SE"}, nil, nil, 500, 10), RoleCT, false, "modality"},
		{"no timing and no name", with(mr("series 5", []string{"SE"}, nil, []string{"FS"}, 0, 0), func(s *SeriesInfo) {
			s.HasRepetitionTime, s.HasEchoTime = false, false
		}), RoleT2FS, false, "weighting"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := rules.Evaluate(c.role, c.series)
			if m.OK != c.want {
				t.Fatalf("OK %v, want %v (reason %q)", m.OK, c.want, m.Reason)
			}
			if !c.want && !strings.Contains(m.Reason, c.reason) {
				t.Errorf("reason %q does not mention %q", m.Reason, c.reason)
			}
			if m.Reason == "" {
				t.Error("empty reason")
			}
		})
	}
}

func TestChooseDeterministic(t *testing.T) {
	rules := DefaultRules()
	withUID := func(s SeriesInfo, uid string, number int) SeriesInfo {
		s.SeriesInstanceUID, s.SeriesNumber = uid, number
		return s
	}
	// Scan option FS scores above a name-only match; equal scores fall back
	// to frames, then series number.
	byOption := withUID(mr("t2_tse_fs_tra", []string{"SE"}, nil, []string{"FS"}, 4000, 85), "1.2.3.1", 7)
	byName := withUID(mr("t2_tse_fs_tra", []string{"SE"}, nil, nil, 4000, 85), "1.2.3.2", 3)
	sameEarlier := withUID(byOption, "1.2.3.3", 4)
	rejected := withUID(mr("t2_tse_tra", []string{"SE"}, nil, nil, 4000, 85), "1.2.3.4", 2)

	orders := [][]SeriesInfo{
		{byOption, byName, sameEarlier, rejected},
		{rejected, sameEarlier, byName, byOption},
		{byName, rejected, byOption, sameEarlier},
	}
	for i, candidates := range orders {
		got, ok := rules.Choose(RoleT2FS, candidates)
		if !ok {
			t.Fatalf("order %d: no choice: %s", i, got.Reason)
		}
		if got.Series.SeriesInstanceUID != "1.2.3.3" {
			t.Errorf("order %d: chose %s, want 1.2.3.3 (highest score, lower series number)", i, got.Series.SeriesInstanceUID)
		}
		if !strings.Contains(got.Reason, "ranked above 1.2.3.1") {
			t.Errorf("order %d: reason %q does not list the runner-up first", i, got.Reason)
		}
	}

	none, ok := rules.Choose(RoleT2FS, []SeriesInfo{rejected})
	if ok {
		t.Fatal("chose a series without fat suppression")
	}
	if !strings.Contains(none.Reason, "1.2.3.4") || !strings.Contains(none.Reason, "no fat suppression") {
		t.Errorf("reason %q does not explain the rejection", none.Reason)
	}
}

// Real headers: the sagittal T1 is not axial, the ADC map is derived and
// the phantom CT has no contrast evidence.
func TestEvaluateRealHeaders(t *testing.T) {
	rules := DefaultRules()
	cases := []struct {
		name, file string
		role       Role
		reason     string
	}{
		{"siemens t1 sagittal", "dcm_qa_decubitus/HFS/3_t1_fl2d_sag/*.dcm", RoleT1WI, "not axial"},
		{"ge adc map", "dcmqi/paramaps/701-ADCb500/000000.dcm", RoleT2FS, "image type"},
		{"phantom ct", "egsnrc/DICOM/*.ct", RoleCT, "contrast"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			info, err := ReadSeriesInfo(sharedGlob(t, c.file)[0])
			if err != nil {
				t.Fatal(err)
			}
			m := rules.Evaluate(c.role, info)
			if m.OK || !strings.Contains(m.Reason, c.reason) {
				t.Fatalf("OK %v reason %q, want rejection mentioning %q", m.OK, m.Reason, c.reason)
			}
		})
	}
	t.Run("siemens t1 fields", func(t *testing.T) {
		info, err := ReadSeriesInfo(sharedGlob(t, "dcm_qa_decubitus/HFS/3_t1_fl2d_sag/*.dcm")[0])
		if err != nil {
			t.Fatal(err)
		}
		// TR 300 ms and TE 2.46 ms as listed for this series.
		if info.Modality != "MR" || info.RepetitionTime != 300 || info.EchoTime != 2.46 || !info.HasOrientation {
			t.Errorf("info %+v", info)
		}
	})
}
