# free_port.bash - sourced by the integration tests and benchmarks.
# free_port: a TCP port free on loopback, chosen by the kernel (bind to 0),
# so two tests running at once never pick the same one.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# free_port_on ADDR...: a TCP port free on every one of these loopback
# addresses at once (an sshd listening on several must get all of them).
free_port_on() {
	python3 - "$@" <<'PY'
import socket, sys
for _ in range(50):
    first = socket.socket(); first.bind((sys.argv[1], 0)); port = first.getsockname()[1]
    held, ok = [first], True
    for a in sys.argv[2:]:
        s = socket.socket()
        try:
            s.bind((a, port)); held.append(s)
        except OSError:
            ok = False; s.close(); break
    for s in held:
        s.close()
    if ok:
        print(port); break
else:
    sys.exit("no port free on all of " + " ".join(sys.argv[1:]))
PY
}
