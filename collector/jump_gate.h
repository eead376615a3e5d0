/*
 * jump_gate.h - at most JUMP_GATE_MAX connections at once in their
 * handshake (TCP connect to authenticated) with one jump host, shared by
 * every pull worker: sshd's default MaxStartups 10:30:100 starts dropping
 * unauthenticated connections at the eleventh, and a fleet behind one
 * bastion must not trip it.  Authenticated connections no longer count
 * there, so the gate is left once the hop is authenticated.  No I/O.
 */
#ifndef IOMMU_FLEET_JUMP_GATE_H
#define IOMMU_FLEET_JUMP_GATE_H

#define JUMP_GATE_MAX 8

/* Wait for a slot at the jump host named key ("host:port") until
 * deadline_ms (CLOCK_MONOTONIC, as ssh_session_now_ms): 0, or -1 when the
 * deadline passed first (or out of memory).  Thread-safe. */
int jump_gate_enter(const char *key, long long deadline_ms);

/* Give the slot back; once per jump_gate_enter() that returned 0. */
void jump_gate_leave(const char *key);

#endif
