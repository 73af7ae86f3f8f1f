package segwrite

import (
	"github.com/mdm2node/mdm2node/internal/dcmbuild"
	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// builder is the shared element builder with the code sequences of this
// package.
type builder struct {
	dcmbuild.Builder
}

func newBuilder() *builder { return &builder{dcmbuild.Builder{Sentinel: ErrEncode}} }

func (b *builder) code(t tag.Tag, c Code) *dicom.Element {
	return b.Seq(t, []*dicom.Element{
		b.Str(tag.CodeValue, c.Value),
		b.Str(tag.CodingSchemeDesignator, c.Scheme),
		b.Str(tag.CodeMeaning, c.Meaning),
	})
}
