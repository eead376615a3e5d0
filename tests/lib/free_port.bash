# free_port.bash - sourced by the integration tests and benchmarks.
# free_port: a TCP port free on loopback, chosen by the kernel (bind to 0),
# so two tests running at once never pick the same one.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
