package radiomics

import "fmt"

// resample is replaced below.
func resample(b *box, s *Settings) (*box, error) {
	return nil, fmt.Errorf("%w: resampling is not implemented", ErrSettings)
}
