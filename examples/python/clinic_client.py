#!/usr/bin/python3
"""A clinic's client for telederm, in Python with Debian's python3-grpcio.

  clinic_client.py --intake HOST:PORT --clinic ID submit --image FILE[:modality] ... [--wait-queued 60]
  clinic_client.py --intake HOST:PORT --clinic ID status CASE_ID
  clinic_client.py --intake HOST:PORT --clinic ID wait-report CASE_ID [--timeout-s 60]
  clinic_client.py --intake HOST:PORT --clinic ID fhir CASE_ID

Every result is one JSON object per line on stdout; errors go to stderr with
the gRPC status code, and the exit status is 1.
"""
import argparse
import hashlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import telederm_client as tc  # noqa: E402

CHUNK = 64 * 1024
MODALITIES = {"dermoscopy": "MODALITY_DERMOSCOPY", "clinical-overview": "MODALITY_CLINICAL_OVERVIEW",
              "clinical-close-up": "MODALITY_CLINICAL_CLOSE_UP"}


def upload(pb, stub, md, timeout, path, modality):
    data = open(path, "rb").read()
    content_type = "image/png" if data[:4] == b"\x89PNG" else "image/jpeg"
    header = pb["intake"].UploadImageHeader(sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data),
                                            content_type=content_type,
                                            modality=pb["case"].Modality.Value(MODALITIES[modality]))

    def requests():
        yield pb["intake"].UploadImageRequest(header=header)
        for at in range(0, len(data), CHUNK):
            yield pb["intake"].UploadImageRequest(chunk=data[at:at + CHUNK])

    response = stub.UploadImage(requests(), metadata=md, timeout=timeout)
    for warning in response.warnings:
        sys.stderr.write(f"warning: {path}: {warning.message}\n")
    return response.image


def status_of(pb, stub, md, timeout, case_id):
    case = stub.GetCase(pb["intake"].GetCaseRequest(case_id=case_id), metadata=md, timeout=timeout)
    return case, pb["case"].CaseStatus.Name(case.status)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--intake", default="127.0.0.1:50051", help="intake service address")
    parser.add_argument("--clinic", required=True, help="the clinic's id (development identity)")
    tc.add_common_arguments(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    submit = commands.add_parser("submit", help="upload images and submit a suspected skin tumour case")
    submit.add_argument("--image", action="append", required=True, help="FILE[:dermoscopy|clinical-overview|...]")
    submit.add_argument("--patient", default="py-patient-1", help="the clinic's pseudonymous patient reference")
    submit.add_argument("--age", type=int, default=40)
    submit.add_argument("--site", default="BACK", help="body site enum name without BODY_SITE_")
    submit.add_argument("--question", default="Pigmented lesion. Benign?")
    submit.add_argument("--idempotency-key", default="", help="default: derived from patient and images")
    submit.add_argument("--wait-queued", type=float, default=0, help="then wait this many seconds for QUEUED")
    for name in ("status", "wait-report", "fhir"):
        command = commands.add_parser(name)
        command.add_argument("case_id")
        command.add_argument("--timeout-s", type=float, default=60)
    args = parser.parse_args()

    pb = tc.load_stubs(args.stubs)
    channel = tc.channel(args.intake, args.tls_ca)
    stub = pb["intake_grpc"].IntakeServiceStub(channel)
    md = tc.metadata(args, [("x-telederm-clinic-id", args.clinic)])
    try:
        if args.command == "submit":
            images = []
            for spec in args.image:
                path, _, modality = spec.partition(":")
                image = upload(pb, stub, md, args.timeout, path, modality or "dermoscopy")
                tc.emit({"uploaded": path, "sha256": image.sha256, "size_bytes": image.size_bytes})
                images.append(image)
            submission = pb["case"].CaseSubmission(
                type=pb["case"].CASE_TYPE_SUSPECTED_SKIN_TUMOUR,
                patient=pb["case"].Patient(reference=args.patient, age_years=args.age, sex=pb["case"].SEX_FEMALE),
                lesion=pb["case"].Lesion(body_site=pb["case"].BodySite.Value("BODY_SITE_" + args.site.upper()),
                                         largest_diameter_mm=5, duration_days=400),
                clinical_question=args.question, consent_to_teleconsultation=True, images=images)
            key = args.idempotency_key or "py-" + hashlib.sha256(
                (args.patient + "".join(i.sha256 for i in images)).encode()).hexdigest()[:32]
            response = stub.SubmitCase(pb["intake"].SubmitCaseRequest(submission=submission, idempotency_key=key),
                                       metadata=md, timeout=args.timeout)
            tc.emit({"case_id": response.case_id, "status": pb["case"].CaseStatus.Name(response.status),
                     "duplicate": response.duplicate})
            deadline = time.time() + args.wait_queued
            while args.wait_queued > 0:
                case, status = status_of(pb, stub, md, args.timeout, response.case_id)
                if status not in ("CASE_STATUS_RECEIVED", "CASE_STATUS_SCREENING"):
                    tc.emit({"case_id": case.case_id, "status": status,
                             "urgency": pb["case"].Urgency.Name(case.urgency),
                             "risk_score": round(case.triage.risk_score, 3)})
                    break
                if time.time() > deadline:
                    sys.exit(f"error: case {response.case_id} still {status} after {args.wait_queued} s")
                time.sleep(0.2)
        elif args.command == "status":
            case, status = status_of(pb, stub, md, args.timeout, args.case_id)
            tc.emit({"case_id": case.case_id, "status": status, "urgency": pb["case"].Urgency.Name(case.urgency)})
        elif args.command == "wait-report":
            deadline = time.time() + args.timeout_s
            while True:
                case, status = status_of(pb, stub, md, args.timeout, args.case_id)
                if case.report.diagnosis_text:
                    tc.emit({"case_id": case.case_id, "status": status, "icd10_code": case.report.icd10_code,
                             "diagnosis": case.report.diagnosis_text, "specialist": case.report.specialist_id})
                    break
                if time.time() > deadline:
                    sys.exit(f"error: no report for {args.case_id} within {args.timeout_s} s (status {status})")
                time.sleep(0.2)
        elif args.command == "fhir":
            fhir = pb["fhir_grpc"].FhirExportServiceStub(channel)
            response = fhir.ExportCaseFhir(pb["fhir"].ExportCaseFhirRequest(case_id=args.case_id), metadata=md,
                                           timeout=args.timeout)
            print(response.bundle_json, flush=True)
    except Exception as error:  # grpc.RpcError and file errors: one line, exit 1
        tc.fail(error)


if __name__ == "__main__":
    main()
