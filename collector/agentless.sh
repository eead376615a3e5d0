# agentless.sh - iommu-collector pull runs this with `sh -s` on a host that has
# no iommu-agent.  It only reads: it prints the evidence files iommu-agent
# would read, in the framed format of agentless.h, and changes nothing.
# IOMMU_FLEET_ROOT (the remote's own environment) reads a captured tree.
main() {
	exec </dev/null
	LC_ALL=C
	export LC_ALL
	R=${IOMMU_FLEET_ROOT:-}
	echo "iommu-fleet-agentless 1"
	for p in proc/cmdline proc/cpuinfo proc/interrupts etc/os-release; do
		f "$p"
	done
	for p in proc/sys/kernel/hostname proc/sys/kernel/osrelease etc/hostname \
	    etc/machine-id sys/hypervisor/type; do
		a "$p"
	done
	for p in proc etc sys sys/class sys/bus sys/bus/pci sys/kernel sys/firmware \
	    sys/firmware/acpi sys/module sys/class/dmi sys/class/dmi/id; do
		[ -d "$R/$p" ] && echo "d $p"
	done
	for n in sys_vendor product_name product_version product_family \
	    bios_vendor bios_version bios_date bios_release board_vendor \
	    board_name board_version chassis_vendor chassis_type; do
		a "sys/class/dmi/id/$n"
	done
	groups
	devices
	listing sys/class/iommu
	tables
	modules
	critical
	vfio
	klog
	echo end
}

# A name we send: one component of tame characters.
ok_name() {
	case $1 in
	'' | . | .. | *[!A-Za-z0-9._:@+,=-]*) return 1 ;;
	esac
	return 0
}

# f PATH: a whole file, as hex.
f() {
	[ -f "$R/$1" ] && [ -r "$R/$1" ] || return 1
	echo "f $1"
	od -An -v -tx1 "$R/$1" 2>/dev/null
	echo .
}

# a PATH: a one-line attribute as text; anything unusual goes as hex.
a() {
	[ -f "$R/$1" ] || return 1
	v=
	if [ -r "$R/$1" ] && { IFS= read -r v <"$R/$1" || [ -n "$v" ]; } 2>/dev/null; then
		case $v in
		*[![:print:]]*) f "$1" ;;
		*) printf 'a %s %s\n' "$1" "$v" ;;
		esac
	else
		echo "e $1"
	fi
}

# l PATH: a symlink, by the last component of its target.
l() {
	[ -h "$R/$1" ] || return 1
	t=$(readlink "$R/$1" 2>/dev/null) ||
	    t=$(ls -ld "$R/$1" 2>/dev/null | sed 's/.* -> //')
	t=${t##*/}
	ok_name "$t" && echo "l $1 $t"
	return 0
}

# L PATH: a symlink with its whole relative text (the agent reads the PCI
# addresses of the bridges in it), when the text is leading ../ that stay
# below PATH's top directory and then tame components; sets $real to the
# path it names, from the root.  The collector checks the same rule.
L() {
	[ -h "$R/$1" ] || return 1
	t=$(readlink "$R/$1" 2>/dev/null) || return 1
	dir=${1%/*} rest=$t
	while :; do
		case $rest in
		../*)
			case $dir in */*) dir=${dir%/*} ;; *) return 1 ;; esac
			rest=${rest#../}
			;;
		*) break ;;
		esac
	done
	old_ifs=$IFS
	IFS=/
	set -f
	for c in $rest ''; do
		[ -z "$c" ] && break
		ok_name "$c" || break
	done
	IFS=$old_ifs
	set +f
	[ -z "$c" ] && [ -n "$rest" ] || return 1
	case $rest in /* | */ | *//*) return 1 ;; esac
	echo "l $1 $t"
	real=$dir/$rest
	return 0
}

# listing DIR: the directory and its names, as placeholders.
listing() {
	[ -d "$R/$1" ] || return 1
	echo "d $1"
	for e in "$R/$1"/*; do
		[ -e "$e" ] || [ -h "$e" ] || continue
		n=${e##*/}
		ok_name "$n" && echo "e $1/$n"
	done
	return 0
}

groups() {
	[ -d "$R/sys/kernel/iommu_groups" ] || return 0
	echo "d sys/kernel/iommu_groups"
	for g in "$R"/sys/kernel/iommu_groups/*; do
		[ -d "$g" ] || continue
		n=${g##*/}
		ok_name "$n" || continue
		b=sys/kernel/iommu_groups/$n
		echo "d $b"
		a "$b/type"
		f "$b/reserved_regions"
		listing "$b/devices"
	done
}

# pci_uevent FILE: true when FILE has the PCI_ID and PCI_CLASS lines.
pci_uevent() {
	[ -f "$1" ] && [ -r "$1" ] || return 1
	id= cl=
	while IFS= read -r line; do
		case $line in
		PCI_ID=*) id=1 ;;
		PCI_CLASS=*) cl=1 ;;
		esac
	done <"$1"
	[ -n "$id" ] && [ -n "$cl" ]
}

devices() {
	[ -d "$R/sys/bus/pci/devices" ] || return 0
	echo "d sys/bus/pci/devices"
	for d in "$R"/sys/bus/pci/devices/*; do
		[ -d "$d" ] || continue
		n=${d##*/}
		ok_name "$n" || continue
		b=sys/bus/pci/devices/$n
		# as in sysfs: the name is a link to the device's directory,
		# whose path names the bridges above it
		L "$b" && b=$real
		echo "d $b"
		# uevent holds ids, class and driver in one file; the agent reads
		# the attribute files only when it does not
		if pci_uevent "$d/uevent"; then
			f "$b/uevent"
		else
			for at in vendor device subsystem_vendor subsystem_device class; do
				a "$b/$at"
			done
			l "$b/driver"
		fi
		a "$b/reset_method"
		a "$b/boot_vga"
		[ -e "$d/reset" ] && echo "e $b/reset"
		l "$b/iommu_group"
		# the preflight's own evidence: vfio binding, SR-IOV, and the
		# config space (ACS, port type: 4096 bytes as root, 64 else)
		a "$b/driver_override"
		a "$b/sriov_totalvfs"
		a "$b/sriov_numvfs"
		l "$b/physfn"
		f "$b/config"
	done
}

# The devices a host cannot lose, read as the agent reads them: the mount
# table and the routes whole, the block device of / (and the devices
# below device-mapper or md: slaves/), and every network interface with
# the lower_* ports of a bond, bridge or VLAN.
critical() {
	f proc/self/mountinfo
	f proc/net/route
	if [ -f "$R/proc/self/mountinfo" ] && [ -r "$R/proc/self/mountinfo" ]; then
		while read -r _ _ mm _ mp _; do
			[ "$mp" = / ] || continue
			case $mm in *[!0-9:]* | '') continue ;; esac
			L "sys/dev/block/$mm" || continue
			listing "$real/slaves" || continue
			for s in "$R/$real"/slaves/*; do
				n=${s##*/}
				ok_name "$n" && L "sys/class/block/$n"
			done
		done <"$R/proc/self/mountinfo"
	fi
	[ -d "$R/sys/class/net" ] || return 0
	echo "d sys/class/net"
	for i in "$R"/sys/class/net/*; do
		n=${i##*/}
		ok_name "$n" && L "sys/class/net/$n" || continue
		for e in "$R/$real"/lower_*; do
			[ -e "$e" ] || [ -h "$e" ] || continue
			ok_name "${e##*/}" && echo "e $real/${e##*/}"
		done
	done
	return 0
}

# vfio's state: no-IOMMU mode and the group devices in dev/vfio.
vfio() {
	a sys/module/vfio/parameters/enable_unsafe_noiommu_mode
	[ -d "$R/dev" ] && echo "d dev"
	listing dev/vfio
	return 0
}

tables() {
	t=sys/firmware/acpi/tables
	[ -d "$R/$t" ] || return 0
	echo "d $t"
	# the agent reads the DMAR header only; the others by presence
	if [ -f "$R/$t/DMAR" ] && [ -r "$R/$t/DMAR" ]; then
		echo "f $t/DMAR"
		dd if="$R/$t/DMAR" bs=64 count=1 2>/dev/null | od -An -v -tx1
		echo .
	elif [ -e "$R/$t/DMAR" ]; then
		echo "e $t/DMAR"
	fi
	for n in IVRS IORT; do
		[ -e "$R/$t/$n" ] && echo "e $t/$n"
	done
	return 0
}

modules() {
	[ -d "$R/sys/module" ] || return 0
	for m in "$R"/sys/module/vfio*; do
		[ -d "$m" ] || continue
		n=${m##*/}
		ok_name "$n" && echo "d sys/module/$n"
	done
	a sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts
	return 0
}

# The kernel log, from the first source that works, as iommu-agent does:
# a capture's own log, /dev/kmsg read to its end without blocking, the
# dmesg command, then log files.
klog() {
	for s in kmsg journal file; do
		f "var/log/iommu-fleet/kernel-log.$s" && return 0
	done
	if [ -c "$R/dev/kmsg" ] && [ -r "$R/dev/kmsg" ] &&
	    dd if=/dev/null of=/dev/null iflag=nonblock 2>/dev/null; then
		echo "f var/log/iommu-fleet/kernel-log.kmsg"
		if command -v timeout >/dev/null 2>&1; then
			timeout 20 dd if="$R/dev/kmsg" iflag=nonblock bs=65536 2>/dev/null
		else
			dd if="$R/dev/kmsg" iflag=nonblock bs=65536 2>/dev/null
		fi | od -An -v -tx1
		echo .
		return 0
	fi
	f dev/kmsg && return 0
	if [ -z "$R" ] && command -v dmesg >/dev/null 2>&1 && dmesg >/dev/null 2>&1; then
		echo "f var/log/dmesg"
		dmesg 2>/dev/null | od -An -v -tx1
		echo .
		return 0
	fi
	f var/log/dmesg && return 0
	f var/log/kern.log
	return 0
}

main
