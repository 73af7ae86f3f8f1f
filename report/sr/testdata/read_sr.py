"""Read an SR file with pydicom and print its header and content tree as JSON.

Usage: read_sr.py FILE

The Go tests of package sr run this with Debian's python3-pydicom to check
the reports they write against an independent DICOM reader.
"""
import json
import sys

import pydicom


def code(seq):
    if not seq:
        return None
    item = seq[0]
    return "|".join([item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning])


def value(item):
    vt = item.ValueType
    if vt == "CONTAINER":
        return item.ContinuityOfContent
    if vt == "TEXT":
        return item.TextValue
    if vt == "UIDREF":
        return item.UID
    if vt == "CODE":
        return code(item.ConceptCodeSequence)
    if vt == "NUM":
        mv = item.MeasuredValueSequence[0]
        parts = [str(mv.NumericValue), code(mv.MeasurementUnitsCodeSequence)]
        if "FloatingPointValue" in mv:
            parts.append("fp=" + repr(float(mv.FloatingPointValue)))
        return "|".join(parts)
    if vt == "IMAGE":
        ref = item.ReferencedSOPSequence[0]
        parts = [ref.ReferencedSOPClassUID, ref.ReferencedSOPInstanceUID]
        if "ReferencedSegmentNumber" in ref:
            numbers = ref.ReferencedSegmentNumber
            if isinstance(numbers, int):
                numbers = [numbers]
            parts.append(",".join(str(n) for n in numbers))
        return "|".join(parts)
    raise ValueError("unexpected value type " + vt)


def walk(item, depth, out):
    template = ""
    if "ContentTemplateSequence" in item:
        template = item.ContentTemplateSequence[0].TemplateIdentifier
    out.append({
        "depth": depth,
        "relationship": item.get("RelationshipType", ""),
        "value_type": item.ValueType,
        "concept": code(item.get("ConceptNameCodeSequence")),
        "value": value(item),
        "template": template,
    })
    for child in item.get("ContentSequence", []):
        walk(child, depth + 1, out)


def references(seq):
    out = []
    for study in seq or []:
        for series in study.ReferencedSeriesSequence:
            for sop in series.ReferencedSOPSequence:
                out.append([study.StudyInstanceUID, series.SeriesInstanceUID,
                            sop.ReferencedSOPClassUID, sop.ReferencedSOPInstanceUID])
    return out


def main():
    ds = pydicom.dcmread(sys.argv[1])
    charset = ds.get("SpecificCharacterSet", "")
    if not isinstance(charset, str):
        charset = "\\".join(charset)
    tree = []
    walk(ds, 0, tree)
    print(json.dumps({
        "transfer_syntax": str(ds.file_meta.TransferSyntaxUID),
        "media_sop_class": str(ds.file_meta.MediaStorageSOPClassUID),
        "charset": charset,
        "patient_name": str(ds.PatientName),
        "patient_id": ds.PatientID,
        "patient_birth_date": ds.PatientBirthDate,
        "patient_sex": ds.PatientSex,
        "study_uid": ds.StudyInstanceUID,
        "study_date": ds.StudyDate,
        "study_time": ds.StudyTime,
        "accession_number": ds.AccessionNumber,
        "referring_physician": str(ds.ReferringPhysicianName),
        "study_id": ds.StudyID,
        "series_uid": ds.SeriesInstanceUID,
        "sop_class": ds.SOPClassUID,
        "sop_uid": ds.SOPInstanceUID,
        "modality": ds.Modality,
        "manufacturer": ds.Manufacturer,
        "completion": ds.CompletionFlag,
        "verification": ds.VerificationFlag,
        "content_date": ds.ContentDate,
        "content_time": ds.ContentTime,
        "coding_schemes": [item.CodingSchemeDesignator for item in ds.get("CodingSchemeIdentificationSequence", [])],
        "evidence": references(ds.get("CurrentRequestedProcedureEvidenceSequence")),
        "predecessors": references(ds.get("PredecessorDocumentsSequence")),
        "tree": tree,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
