"""Independent reference for the mask tests: prints, as JSON, the number of
mask voxels on each slice of the reference series (sorted along the plane
normal), computed with pydicom and numpy.

Usage: /usr/bin/python3 masks.py REGION_FILE SEGMENT_OR_ROI_NUMBER IMAGE...

For a SEG, frames of the given segment are placed by Referenced SOP Instance
UID; FRACTIONAL values count when at least half of Maximum Fractional Value.
For an RTSTRUCT, each pixel centre is tested against every contour of the ROI
on its slice with a crossing-number test, and contours combine even-odd.
"""
import json
import sys

import numpy as np
import pydicom

region = pydicom.dcmread(sys.argv[1])
number = int(sys.argv[2])
images = [pydicom.dcmread(p) for p in sys.argv[3:]]
iop = np.array([float(x) for x in images[0].ImageOrientationPatient])
row, col = iop[:3], iop[3:]
normal = np.cross(row, col)
images.sort(key=lambda d: float(np.dot([float(x) for x in d.ImagePositionPatient], normal)))
uids = [d.SOPInstanceUID for d in images]
rows, cols = int(images[0].Rows), int(images[0].Columns)
counts = [0] * len(images)

if region.SOPClassUID == "1.2.840.10008.5.1.4.1.1.66.4":
    frames = region.pixel_array
    if frames.ndim == 2:
        frames = frames[np.newaxis]
    fractional = region.SegmentationType == "FRACTIONAL"
    for i, item in enumerate(region.PerFrameFunctionalGroupsSequence):
        if int(item.SegmentIdentificationSequence[0].ReferencedSegmentNumber) != number:
            continue
        uid = item.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
        frame = frames[i].astype(np.int64)
        if fractional:
            inside = frame * 2 >= int(region.MaximumFractionalValue)
        else:
            inside = frame != 0
        counts[uids.index(uid)] += int(np.count_nonzero(inside))
else:
    ps = [float(x) for x in images[0].PixelSpacing]
    per_slice = {}
    for rc in region.ROIContourSequence:
        if int(rc.ReferencedROINumber) != number:
            continue
        for c in rc.ContourSequence:
            pts = np.array([float(x) for x in c.ContourData]).reshape(-1, 3)
            k = uids.index(c.ContourImageSequence[0].ReferencedSOPInstanceUID)
            origin = np.array([float(x) for x in images[k].ImagePositionPatient])
            d = pts - origin
            poly = np.stack([d @ row / ps[1], d @ col / ps[0]], axis=1)
            per_slice.setdefault(k, []).append(poly)
    for k, polys in per_slice.items():
        inside = np.zeros((rows, cols), dtype=bool)
        for poly in polys:
            px, py = np.meshgrid(np.arange(cols, dtype=float), np.arange(rows, dtype=float))
            crossings = np.zeros((rows, cols), dtype=np.int64)
            for e in range(len(poly)):
                ax, ay = poly[e]
                bx, by = poly[(e + 1) % len(poly)]
                spans = (ay > py) != (by > py)
                with np.errstate(divide="ignore", invalid="ignore"):
                    xint = ax + (py - ay) * (bx - ax) / (by - ay)
                crossings += (spans & (xint > px)).astype(np.int64)
            inside ^= (crossings % 2) == 1
        counts[k] = int(np.count_nonzero(inside))

json.dump(counts, sys.stdout)
