"""moto's server answering one request at a time.

moto's own `moto_server` is threaded and does not isolate concurrent DynamoDB
transactions (two TransactWriteItems on the same item can both pass their
conditions), while real DynamoDB serializes them. Serving one request at a time
gives the tests DynamoDB's guarantees. Usage: moto_serial.py HOST PORT
"""

import os
import sys

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple

host, port = sys.argv[1], int(sys.argv[2])
os.environ.setdefault("MOTO_PORT", str(port))
app = DomainDispatcherApplication(create_backend_app)
run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)
