package deep

import (
	"fmt"

	"github.com/mdm2node/mdm2node/series/volume"
)

// Features returns the extractor's features for the region in mask on img
// (Session.Extractor().Features values, named by FeatureNames): the
// feature vectors of the crops that pre selects, run as one batch and
// averaged. Neither input is modified.
func (s *Session) Features(img *volume.Volume, mask *volume.Mask, modality string, pre Preprocess) ([]float64, error) {
	crops, err := pre.Crops(img, mask, modality)
	if err != nil {
		return nil, err
	}
	input, err := Tensor(img, crops, s.ext)
	if err != nil {
		return nil, err
	}
	rows, err := s.Run(input, len(crops))
	if err != nil {
		return nil, fmt.Errorf("deep: slices %d..%d: %w", crops[0].Slice, crops[len(crops)-1].Slice, err)
	}
	mean := make([]float64, s.ext.Features)
	for _, row := range rows {
		for i, v := range row {
			mean[i] += float64(v)
		}
	}
	for i := range mean {
		mean[i] /= float64(len(rows))
	}
	return mean, nil
}
