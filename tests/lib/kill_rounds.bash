# kill_rounds.bash - sourced by the kill loops (tests/integration/*_kill.sh).
# kill_rounds_init DEFAULT: rounds from $KILL_ROUNDS (DEFAULT when unset),
# the kill moments from $KILL_SEED (this shell's pid when unset), both
# printed so a failing run can be repeated; started is the start time.
kill_rounds_init() {
	rounds=${KILL_ROUNDS:-$1}
	case $rounds in
	'' | *[!0-9]*)
		echo "FAIL: KILL_ROUNDS: not a number: $rounds" >&2
		exit 1
		;;
	esac
	seed=${KILL_SEED:-$$}
	RANDOM=$seed
	echo "KILL_ROUNDS=$rounds KILL_SEED=$seed"
	started=$(date +%s)
}
