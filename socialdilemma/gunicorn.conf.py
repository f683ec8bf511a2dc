# gunicorn settings for `make serve` and the tests' servers.
# Whether to believe X-Forwarded-Proto is Django's decision (DJANGO_TRUST_X_FORWARDED_PROTO), not
# gunicorn's: by default gunicorn trusts it from 127.0.0.1, which would let a local request claim HTTPS.
forwarded_allow_ips = ""
secure_scheme_headers = {}
# No access log: request lines carry hosts' private links and search words.
accesslog = None
# No control socket: gunicorn's default (~/.gunicorn/gunicorn.ctl) is shared by every instance of the same
# user, and stopping one instance removes another's. Nothing here uses it (operators send signals).
control_socket_disable = True
