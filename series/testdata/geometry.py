"""Independent reference for the series tests: reads image files with
pydicom and prints the volume geometry and pixel sums as JSON.

Usage: /usr/bin/python3 geometry.py FILE...
"""
import json
import sys

import numpy as np
import pydicom


def frame_attrs(ds):
    """Yield (position, orientation, pixel spacing, slope, intercept, pixels) per frame."""
    pixels = ds.pixel_array
    pf = getattr(ds, "PerFrameFunctionalGroupsSequence", None)
    if pf is None:
        slope = float(getattr(ds, "RescaleSlope", 1) or 1)
        inter = float(getattr(ds, "RescaleIntercept", 0) or 0)
        yield (ds.ImagePositionPatient, ds.ImageOrientationPatient, ds.PixelSpacing,
               slope, inter, pixels)
        return
    shared = ds.SharedFunctionalGroupsSequence[0]
    if pixels.ndim == 2:
        pixels = pixels[np.newaxis]
    for i, item in enumerate(pf):
        def get(seq, attr):
            for level in (item, shared):
                if seq in level and attr in level[seq][0]:
                    return level[seq][0][attr].value
            return getattr(ds, attr, None)
        slope = get("PixelValueTransformationSequence", "RescaleSlope")
        inter = get("PixelValueTransformationSequence", "RescaleIntercept")
        yield (get("PlanePositionSequence", "ImagePositionPatient"),
               get("PlaneOrientationSequence", "ImageOrientationPatient"),
               get("PixelMeasuresSequence", "PixelSpacing"),
               float(slope if slope is not None else 1), float(inter if inter is not None else 0),
               pixels[i])


frames = []
for path in sys.argv[1:]:
    ds = pydicom.dcmread(path, force=True)
    if "TransferSyntaxUID" not in ds.file_meta:
        ds.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian
    frames.extend(frame_attrs(ds))
iop = np.array([float(x) for x in frames[0][1]])
row, col = iop[:3], iop[3:]
normal = np.cross(row, col)
frames.sort(key=lambda f: float(np.dot([float(x) for x in f[0]], normal)))
dist = [float(np.dot([float(x) for x in f[0]], normal)) for f in frames]
gaps = np.diff(dist)
out = {
    "size": [int(frames[0][5].shape[1]), int(frames[0][5].shape[0]), len(frames)],
    "spacing": [float(frames[0][2][1]), float(frames[0][2][0]), float(np.sort(gaps)[len(gaps) // 2]) if len(gaps) else 0.0],
    "origin": [float(x) for x in frames[0][0]],
    "axes": [row.tolist(), col.tolist(), normal.tolist()],
    "sums": [float(np.sum(f[5].astype(np.float64) * f[3] + f[4])) for f in frames],
}
json.dump(out, sys.stdout)
