// Package radiomics computes the PyRadiomics feature set on a volume and a
// region mask: first order, 3D shape (marching-cubes mesh), 2D shape, GLCM,
// GLRLM, GLSZM, GLDM and NGTDM, on the original image and on its undecimated
// coif1 wavelet decompositions and Laplacian-of-Gaussian images.
//
// Feature names, defaults and edge cases follow PyRadiomics (van Griethuysen
// et al., "Computational Radiomics System to Decode the Radiographic
// Phenotype", Cancer Research 77(21), 2017) as released in versions 2.2 to
// 3.1; the feature definitions are those of the Image Biomarker
// Standardisation Initiative (Zwanenburg et al., Radiology 295(2), 2020,
// arXiv:1612.07003) where PyRadiomics shares them. docs/RADIOMICS.md lists
// every feature with its IBSI code and the places where PyRadiomics and the
// IBSI differ; this package follows PyRadiomics there.
//
// Internal arrays are in volume.Geometry index order (x fastest, then y,
// then z). Neighbour offsets are written as (dz, dy, dx), the order
// PyRadiomics uses for its angle list, so that texture matrices can be
// compared angle by angle with its baselines.
package radiomics
