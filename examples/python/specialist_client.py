#!/usr/bin/python3
"""A dermatologist's client for telederm, in Python with Debian's python3-grpcio.

  specialist_client.py --referral HOST:PORT --specialist ID [--pools general] queue
  specialist_client.py --referral HOST:PORT --specialist ID claim
  specialist_client.py --referral HOST:PORT --specialist ID claim-and-report --diagnosis TEXT --icd10 CODE
      [--management BIOPSY] [--case CASE_ID]

One JSON object per line on stdout; errors on stderr with the gRPC status
code and exit status 1 (NOT_FOUND from claim: the queue is empty).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import telederm_client as tc  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--referral", default="127.0.0.1:50053", help="referral service address")
    parser.add_argument("--specialist", required=True, help="the specialist's id (development identity)")
    parser.add_argument("--pools", default="general", help="comma-separated pools (development identity)")
    tc.add_common_arguments(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("queue", help="the queue of the caller's pools, earliest due first")
    commands.add_parser("claim", help="claim the earliest-due case")
    report = commands.add_parser("claim-and-report", help="claim the earliest-due case and report it")
    report.add_argument("--diagnosis", required=True)
    report.add_argument("--icd10", required=True)
    report.add_argument("--management", default="BIOPSY", help="Management enum name without MANAGEMENT_")
    report.add_argument("--case", default="", help="only report if the claimed case is this one")
    args = parser.parse_args()

    pb = tc.load_stubs(args.stubs)
    stub = pb["referral_grpc"].ReferralServiceStub(tc.channel(args.referral, args.tls_ca))
    md = tc.metadata(args, [("x-telederm-specialist-id", args.specialist), ("x-telederm-pools", args.pools)])
    case_pb, referral_pb = pb["case"], pb["referral"]
    try:
        if args.command == "queue":
            response = stub.ListQueue(referral_pb.ListQueueRequest(page_size=500), metadata=md, timeout=args.timeout)
            for entry in response.entries:
                tc.emit({"case_id": entry.case_id, "urgency": case_pb.Urgency.Name(entry.urgency),
                         "due_at": entry.due_at.ToJsonString(), "risk_score": round(entry.risk_score, 3),
                         "screened": entry.screened, "overdue": entry.overdue})
            return
        claimed = stub.ClaimNext(referral_pb.ClaimNextRequest(), metadata=md, timeout=args.timeout)
        case = claimed.case
        tc.emit({"claimed": case.case_id, "urgency": case_pb.Urgency.Name(case.urgency),
                 "fencing_token": claimed.claim.fencing_token,
                 "lease_expires_at": claimed.claim.lease_expires_at.ToJsonString()})
        if args.command == "claim-and-report":
            if args.case and case.case_id != args.case:
                stub.Release(referral_pb.ReleaseRequest(case_id=case.case_id,
                                                        fencing_token=claimed.claim.fencing_token),
                             metadata=md, timeout=args.timeout)
                sys.exit(f"error: claimed {case.case_id}, not {args.case}; released it")
            report = case_pb.Report(diagnosis_text=args.diagnosis, icd10_code=args.icd10,
                                    management=case_pb.Management.Value("MANAGEMENT_" + args.management.upper()),
                                    follow_up="Reported with the Python example client")
            response = stub.SubmitReport(referral_pb.SubmitReportRequest(
                case_id=case.case_id, fencing_token=claimed.claim.fencing_token, report=report),
                metadata=md, timeout=args.timeout)
            tc.emit({"reported": response.case.case_id, "status": case_pb.CaseStatus.Name(response.case.status),
                     "icd10_code": response.case.report.icd10_code})
    except Exception as error:
        tc.fail(error)


if __name__ == "__main__":
    main()
