# sshd.bash - sourced by the tests and benchmarks that start a real OpenSSH
# sshd on loopback: the settings every such sshd shares, and waiting for a
# port to listen.  The caller sets T (its temp dir, holding authorized_keys).

# sshd_conf_common HOSTKEY: the shared sshd_config lines (keys only, no PAM,
# no password, no pid file, errors only)
sshd_conf_common() {
	cat <<CONF
HostKey $1
AuthorizedKeysFile $T/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PidFile none
LogLevel ERROR
CONF
}

# wait_port ADDR PORT: until something listens there (5 s at the most)
wait_port() {
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "FAIL: nothing listening on $1:$2" >&2
	exit 1
}
