#!/usr/bin/env bash
# A real one-node SLURM cluster on localhost, for tests/test_slurm.py and by hand:
#
#   tests/slurm/cluster.sh start STATE_DIR   # munged, mariadbd, slurmdbd, slurmctld, slurmd
#   export SLURM_CONF=STATE_DIR/etc/slurm.conf   # sbatch, sacct, snakemake --executor slurm ...
#   tests/slurm/cluster.sh stop STATE_DIR    # cancels what is left, stops every daemon
#
# Everything lives in STATE_DIR (an absolute path without spaces, a few dozen characters at
# most: it holds unix sockets): configuration, sockets, databases, logs. One thing does not:
# /etc/slurm/slurm.conf, SLURM's default place, is made a link to STATE_DIR/etc/slurm.conf
# while the cluster runs (and only where no slurm.conf is there already), because the job
# step of snakemake-executor-plugin-slurm-jobstep 0.6.1 runs `srun` without SLURM_CONF: it
# drops every SLURM_* variable but a few job ids, and srun then finds no configuration.
# No system service is touched, so it works in a container without systemd or cgroups.
# It needs root (slurmd starts jobs as their user) and Debian's slurm-wlm, slurmdbd, munge
# and mariadb-server packages (.ci/apt-packages.txt).
# The cluster: partitions cpu (default) and gpu over one node with one GPU (gres on a file),
# accounting through slurmdbd (sacct works), an account "podmotion" that root may use.
# On failure `start` prints which step failed and the tail of that daemon's log, stops
# whatever it had started, and exits non-zero.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
    echo "usage: $0 start|stop STATE_DIR" >&2
    exit 2
}

[ $# -eq 2 ] || usage
ACTION=$1
STATE=$2
case "$STATE" in
/*) ;;
*) echo "cluster.sh: STATE_DIR must be an absolute path: $STATE" >&2; exit 2 ;;
esac
if [[ "$STATE" =~ [[:space:]] ]]; then
    echo "cluster.sh: STATE_DIR must not contain spaces (SLURM's configuration files can't quote them): $STATE" >&2
    exit 2
fi
if [ ${#STATE} -gt 60 ]; then
    echo "cluster.sh: STATE_DIR is too long for a unix socket path inside it (${#STATE} > 60): $STATE" >&2
    exit 2
fi

export SLURM_CONF="$STATE/etc/slurm.conf"
ETC_CONF=/etc/slurm/slurm.conf

log() { echo "cluster.sh: $*" >&2; }

# The pid in a pid file, if that process is alive.
live_pid() {
    local pid
    [ -s "$1" ] || return 1
    pid=$(cat "$1")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Stop the daemon whose pid file is $1: TERM, then KILL after $2 seconds.
stop_daemon() {
    local pidfile=$1 grace=$2 pid i
    pid=$(live_pid "$pidfile") || { rm -f "$pidfile"; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
        sleep 0.1
    done
    log "$(basename "$pidfile" .pid) (pid $pid) did not stop in ${grace}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}

stop_cluster() {
    if [ -f "$SLURM_CONF" ] && live_pid "$STATE/run/slurmctld.pid" >/dev/null; then
        # Cancel every job still queued or running, so that no job step outlives the cluster.
        local jobs
        jobs=$(timeout 20 squeue -h -o %i 2>/dev/null || true)
        if [ -n "$jobs" ]; then
            # shellcheck disable=SC2086  # job ids, one a word
            timeout 20 scancel $jobs 2>/dev/null || true
            for _ in $(seq 1 50); do
                [ -z "$(timeout 5 squeue -h -o %i 2>/dev/null || true)" ] && break
                sleep 0.2
            done
        fi
    fi
    stop_daemon "$STATE/run/slurmd.pid" 15
    stop_daemon "$STATE/run/slurmctld.pid" 15
    stop_daemon "$STATE/run/slurmdbd.pid" 15
    stop_daemon "$STATE/run/mariadbd.pid" 30
    stop_daemon "$STATE/run/munged.pid" 10
    if [ -L "$ETC_CONF" ] && [ "$(readlink "$ETC_CONF")" = "$SLURM_CONF" ]; then
        rm -f "$ETC_CONF"
    fi
    # Job steps whose slurmd is gone (there should be none after the scancel above).
    local pid
    for pid in $(pgrep -f "slurmstepd: \[" 2>/dev/null || true); do
        if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "SLURM_CONF=$SLURM_CONF"; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
}

# What went wrong, with the end of the log that says why; then stop and exit.
fail() {
    local what=$1 logfile=${2:-}
    log "cannot start the cluster: $what"
    if [ -n "$logfile" ] && [ -s "$logfile" ]; then
        echo "--- last lines of $logfile:" >&2
        tail -n 25 "$logfile" >&2
    fi
    stop_cluster
    exit 1
}

# Wait up to $1 seconds for the command "${@:3}" to succeed; give up at once when the daemon
# it waits for has died ($2: its pid, or its pid file once that is written).
wait_for() {
    local deadline=$((SECONDS + $1)) daemon=$2 pid
    shift 2
    while ((SECONDS < deadline)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        if [[ "$daemon" =~ ^[0-9]+$ ]]; then pid=$daemon; else pid=$(cat "$daemon" 2>/dev/null || true); fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
        sleep 0.2
    done
    return 1
}

# Fill a template's @NAME@ placeholders from the variables of the same names.
render() {
    local template=$1 out=$2 text name
    text=$(<"$template")
    for name in HOST STATE CTLD_PORT SLURMD_PORT DBD_PORT DB_PORT DB_PASS CPUS MEMORY_MB GPU_FILE; do
        text=${text//@"$name"@/"${!name}"}
    done
    printf '%s\n' "$text" >"$out"
}

start_cluster() {
    local missing=() bin
    for bin in munged mungekey mariadbd mariadb-install-db mariadb slurmdbd slurmctld slurmd sacctmgr sbatch sacct squeue sinfo scontrol; do
        command -v "$bin" >/dev/null || missing+=("$bin")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "not installed: ${missing[*]} (Debian packages: slurm-wlm slurmdbd munge mariadb-server)"
        exit 3
    fi
    if [ "$(id -u)" != 0 ]; then
        log "needs root: slurmd starts each job as its user (running as $(id -un))"
        exit 3
    fi
    if live_pid "$STATE/run/slurmctld.pid" >/dev/null; then
        log "a cluster is already running in $STATE"
        exit 1
    fi
    # /etc/slurm/slurm.conf: ours for the cluster's lifetime (see the top), or that of
    # another test cluster still running, or a real configuration we must not touch.
    if [ -L "$ETC_CONF" ]; then
        local other
        other=$(readlink "$ETC_CONF")
        if [[ "$other" == */etc/slurm.conf ]] && live_pid "${other%/etc/slurm.conf}/run/slurmctld.pid" >/dev/null; then
            log "another test cluster is running ($ETC_CONF links to $other); stop it first"
            exit 3
        fi
        rm -f "$ETC_CONF" # left by a test cluster that is gone
    elif [ -e "$ETC_CONF" ]; then
        log "$ETC_CONF exists: this machine has a SLURM configuration of its own, which a test cluster won't replace"
        exit 3
    fi

    mkdir -p "$STATE"/{etc,run,log,munge,ctld,slurmd,mysql}
    chmod 755 "$STATE" "$STATE/munge"

    HOST=$(hostname -s)
    # Four free TCP ports on localhost (the kernel's picks, released just before use).
    read -r CTLD_PORT SLURMD_PORT DBD_PORT DB_PORT < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
')
    DB_PASS=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    # At least 2 CPUs and 32 GB, whatever the machine has (SlurmdParameters=config_overrides):
    # the jobs ask for what a real site would give them; nothing is confined here.
    CPUS=$(nproc)
    [ "$CPUS" -ge 2 ] || CPUS=2
    MEMORY_MB=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
    [ "$MEMORY_MB" -ge 32768 ] || MEMORY_MB=32768
    GPU_FILE="$STATE/gpu0"
    : >"$GPU_FILE"
    render "$HERE/slurm.conf.in" "$STATE/etc/slurm.conf"
    render "$HERE/slurmdbd.conf.in" "$STATE/etc/slurmdbd.conf"
    render "$HERE/gres.conf.in" "$STATE/etc/gres.conf"
    chmod 600 "$STATE/etc/slurmdbd.conf"
    mkdir -p "$(dirname "$ETC_CONF")"
    ln -s "$SLURM_CONF" "$ETC_CONF" || fail "cannot link $ETC_CONF to $SLURM_CONF"

    # munge: a fresh key, its own socket.
    mungekey --create --keyfile="$STATE/munge/munge.key" --force >/dev/null 2>&1 \
        || fail "mungekey could not create a key"
    chmod 400 "$STATE/munge/munge.key"
    munged --force --key-file="$STATE/munge/munge.key" --socket="$STATE/munge/munge.socket" \
        --pid-file="$STATE/run/munged.pid" --log-file="$STATE/log/munged.log" \
        --seed-file="$STATE/munge/munged.seed" </dev/null >>"$STATE/log/munged.log" 2>&1 \
        || fail "munged did not start" "$STATE/log/munged.log"
    wait_for 10 "$STATE/run/munged.pid" test -S "$STATE/munge/munge.socket" || fail "munged did not open its socket" "$STATE/log/munged.log"

    # MariaDB for slurmdbd: a private data directory, TCP on localhost only.
    if [ ! -d "$STATE/mysql/mysql" ]; then
        mariadb-install-db --no-defaults --datadir="$STATE/mysql" --user=root --skip-test-db \
            --auth-root-authentication-method=socket >"$STATE/log/mariadb-install.log" 2>&1 \
            || fail "mariadb-install-db failed" "$STATE/log/mariadb-install.log"
    fi
    setsid mariadbd --no-defaults --datadir="$STATE/mysql" --user=root \
        --socket="$STATE/run/mysqld.sock" --pid-file="$STATE/run/mariadbd.pid" \
        --bind-address=127.0.0.1 --port="$DB_PORT" --skip-name-resolve \
        --log-error="$STATE/log/mariadbd.log" --innodb-buffer-pool-size=64M \
        --innodb-log-file-size=64M --innodb-lock-wait-timeout=900 \
        </dev/null >>"$STATE/log/mariadbd.log" 2>&1 &
    echo "$!" >"$STATE/run/mariadbd.pid" # mariadbd writes the same pid there once it is up
    wait_for 60 "$!" mariadb --no-defaults --socket="$STATE/run/mysqld.sock" -u root -e "SELECT 1" \
        || fail "mariadbd exited or did not answer in 60 s" "$STATE/log/mariadbd.log"
    mariadb --no-defaults --socket="$STATE/run/mysqld.sock" -u root -e "
        CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
        ALTER USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
        GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';" >>"$STATE/log/mariadbd.log" 2>&1 \
        || fail "could not create the database user for slurmdbd" "$STATE/log/mariadbd.log"

    # slurmdbd reads slurmdbd.conf beside $SLURM_CONF.
    slurmdbd </dev/null >>"$STATE/log/slurmdbd.log" 2>&1 || fail "slurmdbd did not start" "$STATE/log/slurmdbd.log"
    wait_for 60 "$STATE/run/slurmdbd.pid" sacctmgr -n list cluster || fail "slurmdbd exited or did not answer in 60 s" "$STATE/log/slurmdbd.log"
    # The cluster, an account, and root as one of its users (root also keeps its own account).
    sacctmgr -i add cluster podmotion >/dev/null 2>&1 || true
    sacctmgr -i add account podmotion cluster=podmotion description=tests organization=podmotion >/dev/null 2>&1 || true
    sacctmgr -i add user root account=podmotion cluster=podmotion >/dev/null 2>&1 || true
    sacctmgr -n -P list associations cluster=podmotion user=root format=account 2>/dev/null | grep -qx podmotion \
        || fail "sacctmgr could not add the account podmotion for root" "$STATE/log/slurmdbd.log"

    slurmctld </dev/null >>"$STATE/log/slurmctld.log" 2>&1 || fail "slurmctld did not start" "$STATE/log/slurmctld.log"
    wait_for 60 "$STATE/run/slurmctld.pid" scontrol ping || fail "slurmctld exited or did not answer in 60 s" "$STATE/log/slurmctld.log"
    slurmd -N "$HOST" </dev/null >>"$STATE/log/slurmd.log" 2>&1 || fail "slurmd did not start" "$STATE/log/slurmd.log"
    node_idle() { [ "$(sinfo -h -n "$HOST" -p cpu -o %T)" = idle ]; }
    wait_for 60 "$STATE/run/slurmd.pid" node_idle \
        || fail "node $HOST is not idle in 60 s ($(sinfo -h -N -o '%N %T %E' 2>&1 | head -3))" "$STATE/log/slurmd.log"
    log "cluster up: SLURM_CONF=$SLURM_CONF, node $HOST, $CPUS CPUs, ${MEMORY_MB} MB, gres gpu:1, partitions cpu (default) and gpu"
}

case "$ACTION" in
start) start_cluster ;;
stop) stop_cluster ;;
*) usage ;;
esac
