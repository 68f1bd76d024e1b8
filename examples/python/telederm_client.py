"""Shared plumbing of the example clients: generated stubs, channel, identity.

The stubs are generated from proto/ with Debian's protoc and grpc_python_plugin
(see README.md here); put their directory on PYTHONPATH or pass --stubs.
Nothing generated is kept in the repository.
"""
import argparse
import json
import os
import sys


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stubs", default=os.environ.get("TELEDERM_PY_STUBS", ""),
                        help="directory of the generated telederm/v1/*_pb2*.py (env TELEDERM_PY_STUBS)")
    parser.add_argument("--tls-ca", default="", help="PEM CA to verify the server with; without it: plaintext "
                        "(development servers on loopback only)")
    parser.add_argument("--token", default=os.environ.get("TELEDERM_TOKEN", ""),
                        help="bearer token (env TELEDERM_TOKEN); servers with tokens require it")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per call")


def load_stubs(stubs_dir: str):
    """Imports the generated modules; exits with a hint when they are missing."""
    if stubs_dir:
        sys.path.insert(0, stubs_dir)
    try:
        import grpc  # noqa: F401  (python3-grpcio)
        from telederm.v1 import case_pb2, intake_pb2, intake_pb2_grpc, referral_pb2, referral_pb2_grpc
        from telederm.v1 import fhir_pb2, fhir_pb2_grpc
    except ImportError as error:
        sys.exit(f"cannot import the generated stubs ({error}): generate them (examples/python/README.md) "
                 "and pass --stubs DIR")
    return {"case": case_pb2, "intake": intake_pb2, "intake_grpc": intake_pb2_grpc, "referral": referral_pb2,
            "referral_grpc": referral_pb2_grpc, "fhir": fhir_pb2, "fhir_grpc": fhir_pb2_grpc}


def channel(address: str, tls_ca: str):
    import grpc
    if tls_ca:
        with open(tls_ca, "rb") as f:
            return grpc.secure_channel(address, grpc.ssl_channel_credentials(root_certificates=f.read()))
    return grpc.insecure_channel(address)


def metadata(args, identity):
    """Call metadata: the bearer token when given, else the development identity headers."""
    if args.token:
        return [("authorization", f"Bearer {args.token}")]
    return identity


def emit(obj) -> None:
    """One JSON object per line on stdout, for scripts."""
    print(json.dumps(obj, sort_keys=True), flush=True)


def fail(error) -> None:
    """Prints a gRPC error the way docs/API.md describes it and exits 1."""
    import grpc
    if isinstance(error, grpc.RpcError):
        sys.stderr.write(f"error: {error.code().name}: {error.details()}\n")
    else:
        sys.stderr.write(f"error: {error}\n")
    sys.exit(1)
