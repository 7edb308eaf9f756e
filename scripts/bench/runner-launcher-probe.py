# Prototype runner launcher for scripts/bench/bench-runner-launcher.js (BENCH_LAUNCHER=python): not
# used by the worker. posix_spawn (vfork) with setsid, the runner's fds 1, 2 and 3 relayed as the
# same frames as the node prototype, one write per select() wake-up; exits when its stdin closes.
import json, os, selectors, signal, struct, sys
sel = selectors.DefaultSelector()
runs = {}   # id -> {pid, stdin_w, open}
by_fd = {}  # fd -> (id, kind)
out = []
def send(kind, rid, payload):
    out.append(struct.pack('<IBI', 5 + len(payload), kind, rid) + payload)
inbuf = b''
stdin_fd = sys.stdin.fileno()
sel.register(stdin_fd, selectors.EVENT_READ, 'control')
sig_r, sig_w = os.pipe(); os.set_blocking(sig_w, False); signal.set_wakeup_fd(sig_w); signal.signal(signal.SIGCHLD, lambda *a: None)
sel.register(sig_r, selectors.EVENT_READ, 'sigchld')
pid_to_id = {}
def spawn(m):
    rid = m['id']
    pipes = [os.pipe() for _ in range(4)]
    acts = [(os.POSIX_SPAWN_DUP2, pipes[0][0], 0), (os.POSIX_SPAWN_DUP2, pipes[1][1], 1), (os.POSIX_SPAWN_DUP2, pipes[2][1], 2), (os.POSIX_SPAWN_DUP2, pipes[3][1], 3)]
    home = os.open('.', os.O_RDONLY)
    os.chdir(m['cwd'])  # single-threaded: posix_spawn has no chdir action before Python 3.13
    try:
        pid = os.posix_spawn('/bin/sh', ['sh', '-c', m['command']], m['env'], file_actions=acts, setsid=True)
    finally:
        os.fchdir(home); os.close(home)
    os.close(pipes[0][0]); [os.close(pipes[i][1]) for i in (1, 2, 3)]
    runs[rid] = {'pid': pid, 'stdin': pipes[0][1], 'open': 3}
    pid_to_id[pid] = rid
    for i in (1, 2, 3):
        by_fd[pipes[i][0]] = (rid, i); sel.register(pipes[i][0], selectors.EVENT_READ, 'run')
    send(0, rid, json.dumps({'pid': pid}).encode())
while True:
    for key, _ in sel.select():
        fd = key.fd
        if key.data == 'control':
            chunk = os.read(fd, 65536)
            if not chunk:
                sys.exit(0)
            inbuf += chunk
            while b'\n' in inbuf:
                line, inbuf = inbuf.split(b'\n', 1)
                m = json.loads(line)
                if m['op'] == 'spawn': spawn(m)
                elif m['op'] == 'stdin' and m['id'] in runs:
                    try: os.write(runs[m['id']]['stdin'], m['data'].encode())
                    except OSError: pass
                elif m['op'] == 'end' and m['id'] in runs:
                    os.close(runs.pop(m['id'])['stdin'])
        elif key.data == 'sigchld':
            os.read(fd, 4096)
            while True:
                try: pid, status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError: break
                if pid == 0: break
                rid = pid_to_id.pop(pid)
                code = os.waitstatus_to_exitcode(status)
                send(5, rid, json.dumps({'code': code if code >= 0 else None, 'signal': -code if code < 0 else None}).encode())
        else:
            rid, kind = by_fd[fd]
            data = os.read(fd, 65536)
            if data: send(kind, rid, data)
            else:
                sel.unregister(fd); os.close(fd); del by_fd[fd]; send(4, rid, bytes([kind]))
    if out:
        os.write(1, b''.join(out)); out.clear()
