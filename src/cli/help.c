/* Every command's help (its synopsis, one line, the long text), and how
 * the commands report: usage errors, failures and --help. The commands and
 * main() use it; it calls none of them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

const struct vl_cmd_help vl_cmd_help[] = {
    {"up", "(-f FILE | --topo SPEC) [--name LAB] [options]",
     "create a lab from a topology file or a generator",
     "Create every node, switch, link, address and route of a topology.\n"
     "\n"
     "  -f, --file FILE     a containerlab-style YAML topology file\n"
     "  -t, --topo SPEC     a generator: single,N | linear,K[,N] | tree,DEPTH,FANOUT | ring,N\n"
     "                      | torus,X,Y[,N] | minimal (Mininet's; a torus's switches run STP)\n"
     "  -n, --name LAB      the lab's name (default: the file's name:, else derived)\n"
     "      --pool CIDR     address pool for the lab's subnets (default 10.0.0.0/8)\n"
     "      --ipv6 on|off   IPv6 on node interfaces (default off: see README)\n"
     "  -b, --backend B     ns (namespaces, the default), proc (plain processes) or vm\n"
     "                      (every host and router a QEMU guest; see README)\n"
     "      --vm-kernel K   the guests' kernel: small, debian or a path (default: the\n"
     "                      small one of make vm-kernel if built, else Debian's)\n"
     "      --vm-machine M  microvm or q35 (default: microvm under KVM, q35 under TCG)\n"
     "      --vm-timeout S  how long to wait for the guests (default 60 + 3 per guest)\n"
     "      --vm-clone on|off\n"
     "                      guests cloned from a booted template of their shape (its\n"
     "                      memory shared, kept in /dev/shm/vnetlab-templates: on, the\n"
     "                      default) or each booted (off)\n"
     "      --vm-program P  carry program P (an absolute path) into every guest's\n"
     "                      initramfs, with its shared libraries (repeatable); guests\n"
     "                      run on the host's root and need it only without that\n"
     "                      (VNETLAB_VM_HOST_ROOT=0)\n"
     "      --vm-export PATH\n"
     "                      show PATH (absolute) to every guest, read-only, although\n"
     "                      hidden from guests by default: /root, /home, secrets,\n"
     "                      vnetlab's state... (see README; repeatable)\n"
     "      --cpus N, --cpu-weight N, --cpuset LIST, --memory SIZE, --pids N,\n"
     "      --profile study|none\n"
     "                      every node's resources, over the file's (a guest's vCPUs\n"
     "                      and RAM)\n"
     "      --accounting LIST\n"
     "                      what every node's cgroups measure: cpu (always), memory,\n"
     "                      tasks, or all (default cpu; a memory or pids limit measures\n"
     "                      its own; see vnetlab stats)\n"
     "      --mgmt on|off|SUBNET\n"
     "                      containerlab's management network: every node's eth0 (mgmt0\n"
     "                      if it has an eth0) on a bridge in the host's namespace, the\n"
     "                      host at the subnet's first address, names clab-LAB-NODE in\n"
     "                      the host's /etc/hosts (default: on for *.clab.yml files and\n"
     "                      files with mgmt:, at 172.20.20.0/24 or the next free /24)\n"
     "      --nat           masquerade the nodes' traffic out of the host (nftables,\n"
     "                      forwarding on while the lab is up; off unless asked)\n"
     "      --host-services on|off\n"
     "                      off: the nodes open no connection to the host itself over\n"
     "                      the management network (replies and ping of the gateway\n"
     "                      pass; default on, or the file's mgmt: host-services).\n"
     "                      Other labs' nodes are kept off unless both files say\n"
     "                      mgmt: lab-isolation: false\n"
     "      --json          print the result as JSON\n"
     "  -q, --quiet         print nothing on success\n"
     "      --link SETTINGS every link, both ways, over the file's: bw=10Mbit,delay=5ms,\n"
     "                      jitter=1ms,loss=1%,queue=100, or Mininet's tc,bw=10,delay=5ms\n"
     "                      (a bare bw is Mbit/s, a bare loss percent, as in Mininet)\n"
     "      --test T        as mn --test: build, run T (pingall, pingallfull, pingpair,\n"
     "                      pingpairfull, iperf, iperfudp, all, none), print its result\n"
     "                      and take the lab down; the exit status is the test's\n"
     "      --shell         open vnetlab shell on the lab, take it down when it ends\n"
     "                      (with --test or --shell, no topology means minimal)\n"
     "      --hosts SPEC    one lab over several hosts: ssh:H1,H2,... or @FILE (root over\n"
     "                      ssh), or slurm (the nodes of the allocation up runs in). Nodes\n"
     "                      are placed as vnetlab plan --hosts N shows (host: K pins);\n"
     "                      each host builds its part; links across hosts are VXLAN at\n"
     "                      the underlay's MTU minus 50 (set on every link of a switch\n"
     "                      that crosses hosts; a larger MTU in the file is refused).\n"
     "                      exec, status and down from here reach every part\n"
     "      --underlay IFACE|CIDR\n"
     "                      the hosts' underlay (default: the default route's device)\n"
     "      --vxlan-port P  VXLAN's UDP port across hosts (default 14789, containerlab's)\n"
     "\n"
     "A failure at any step undoes everything done so far (over hosts: every part, the\n"
     "host that failed named).\n"},
    {"down", "LAB... [--hosts SPEC] | --all | --slurm-job ID",
     "stop a lab's processes and remove everything it made",
     "Stop every process of the lab (by pid: those in its nodes' namespaces), then\n"
     "remove its namespaces, switches, links and state. Idempotent: a lab that is not\n"
     "up is not an error. A lab up over several hosts (up --hosts) goes down on every\n"
     "host, from the host where up ran.\n"
     "\n"
     "  -a, --all           every lab\n"
     "      --hosts SPEC    the labs' parts on those hosts, whether recorded here or not\n"
     "                      (the host where up ran is gone, or its up was killed)\n"
     "      --slurm-job ID  on this host, the parts of labs over hosts that Slurm job ID\n"
     "                      started, and nothing else (a Slurm epilog: vnetlab down\n"
     "                      --slurm-job \"$SLURM_JOB_ID\")\n"},
    {"exec", "[-d] [-t] LAB NODE [--] COMMAND [ARG...]", "run a command inside a node",
     "Run COMMAND in NODE's namespaces (network, UTS, mount), or in its guest for a vm\n"
     "node (through the guest's agent). stdin, stdout and stderr\n"
     "pass through; the exit status is the command's (125: vnetlab failed, 126: not\n"
     "executable, 127: not found).\n"
     "\n"
     "  -d, --detach        run as a daemon; output goes to the lab's logs/ directory\n"
     "  -t, --tty           give the command a pseudo-terminal\n"},
    {"status", "[LAB] [--json]", "list labs, or show one lab's nodes",
     "Without LAB: every lab and its state. With LAB: its nodes, interfaces,\n"
     "addresses, routes and processes, and for guests their accelerator, kernel and\n"
     "machine.\n"
     "\n"
     "      --json          machine-readable output\n"},
    {"stats", "LAB [--json] [--watch[=SECS]] [--count N]",
     "CPU, memory, OOM kills and interface counters per node",
     "What each node used and moved: CPU user and system time, throttling, memory\n"
     "(current and peak), OOM kills and tasks from its cgroup; bytes, packets, drops\n"
     "and errors of each of its interfaces. A vm node's cgroup is QEMU's; its guest's\n"
     "own CPU, memory and uptime (from its agent) follow on a line of their own.\n"
     "Without --watch: totals since up.\n"
     "\n"
     "      --json          machine-readable output (with --watch: one JSON object a line)\n"
     "  -w, --watch[=SECS]  refresh every SECS seconds (default 1) with rates: CPU%, Mb/s\n"
     "  -c, --count N       stop after N refreshes (implies --watch)\n"},
    {"link", "[--json] LAB NODE:IF [show | set [--out|--in] KEY VALUE... | up | down]",
     "show or change one link at runtime",
     "Show a link's impairments in both directions and how they are applied, change\n"
     "them, or take the link down and up again. Directions are seen from NODE:IF:\n"
     "--out is what NODE sends through IF, --in what it receives; without either, set\n"
     "changes both. Settings: bw (10Mbit), delay (20ms), jitter (2ms), distribution\n"
     "(uniform|normal|pareto), loss (1%), loss-model (\"gemodel P R 1-H 1-K\"), queue\n"
     "(100 packets, or 64KiB), and clear (reset the direction first).\n"
     "\n"
     "  e.g. vnetlab link lab1 h1:eth0 set bw 100Mbit queue 50\n"
     "       vnetlab link lab1 h1:eth0 set --in clear\n"},
    {"shell", "LAB [-c 'CMD; CMD...'] [--prompt TEXT]", "an interactive shell over a lab, with Mininet's commands",
     "Mininet's CLI over a running lab: nodes, net, links, intfs, dump, ports,\n"
     "pingall, pingallfull, pingpair, iperf [A B], iperfudp BW [A B], link A B up|down,\n"
     "link NODE:IF set delay 10ms loss 1% (as vnetlab link), NODE CMD ARGS (node names\n"
     "in ARGS become their addresses), sh CMD (on the host), source FILE, time CMD,\n"
     "stats, exit. `help` in the shell says more. On a terminal: the prompt\n"
     "vnetlab:LAB>, line editing, history (~/.vnetlab_history, or $VNETLAB_HISTORY)\n"
     "and Tab completion of commands, nodes and interfaces; Ctrl-C stops the running\n"
     "command, Ctrl-D leaves. From a pipe (echo pingall | vnetlab shell LAB) or -c,\n"
     "the commands run in turn without a prompt. The exit status is the last\n"
     "command's (pingall: 0 if nothing was lost).\n"
     "\n"
     "  -c, --command 'CMD; CMD'  run these commands (split at ;) and leave\n"
     "      --prompt TEXT         the prompt on a terminal (Mininet's package: \"mininet> \")\n"},
    {"bench",
     "WORKLOAD [-n N] [--backend ns,proc,vm,solo,rm] [--hosts SPEC] [--neighbour KIND] "
     "[--seconds S] [--bytes SIZE] [--bw RATE] "
     "[--json FILE] | mpi [mpi options]",
     "N instances of a workload at once, and how fairly they shared the machine",
     "Run N instances of a workload at once, each on its own node (network workloads\n"
     "against their own server node), started together, on each backend given (solo:\n"
     "each instance alone, one after the other, the dedicated-machine reference).\n"
     "Prints, per backend, Jain's fairness index of the instances' shares, max/min,\n"
     "coefficient of variation, the Kolmogorov-Smirnov distance of the shares from the\n"
     "ideal 1/N, mean wall time and the slowdown against solo and proc (and rm).\n"
     "\n"
     "rm, the study's real machines: one instance per host of --hosts, a plain process\n"
     "on each (network workloads: instance i sends to the server on host i+1, at its\n"
     "underlay address), started at one barrier time; every figure is measured on the\n"
     "host where it ran (vnetlab-work host there); a workload's files (POV-Ray's scene,\n"
     "scp's keys and data) are carried to every host and removed after. The programs\n"
     "must be at the same paths on every host. The hosts' clocks are checked over\n"
     "round trips (clock_drift); hosts that share one boot id are one machine, and the\n"
     "verdict says so (real_machines: no comparison with real machines then).\n"
     "\n"
     "  WORKLOAD            built in (vnetlab-work): cpu (a ray tracer), stream,\n"
     "                      bandwidth (TCP, measured at the receiver), mixed (an\n"
     "                      AEAD-encrypted transfer: CPU and network);\n"
     "                      real programs: povray (POV-Ray 3.7, one thread; --scene\n"
     "                      FILE, --size WxH, default 640x480), iperf (iperf 2, measured\n"
     "                      at its server), iperf3 (-J: CPU of both ends), scp (scp -O\n"
     "                      to an sshd per server node; --bytes, --cipher), netpipe\n"
     "                      (NPtcp: latency and bandwidth over sizes up to --bytes).\n"
     "                      A workload whose program is missing exits 77, saying which\n"
     "                      Debian package has it.\n"
     "  -n N                instances (default 4)\n"
     "  -b, --backend LIST  ns, proc, vm, solo, rm (default\n"
     "                      ns,proc)\n"
     "      --hosts SPEC    rm's hosts: ssh:H1,H2,..., @FILE (a host a line) or slurm\n"
     "                      (inside salloc/sbatch); N must not exceed them\n"
     "      --underlay X    the hosts' interface or CIDR their addresses are in\n"
     "      --seconds S     stream, bandwidth, iperf, iperf3: how long (default 5)\n"
     "      --bytes SIZE    mixed, scp: how much (default 1280MiB, 700MiB: one alone\n"
     "                      runs 2 s or more); netpipe: largest message\n"
     "      --size N        cpu: the image's side; povray: WxH\n"
     "      --cipher NAME   mixed: aes-128-gcm or chacha20-poly1305; scp: an ssh cipher\n"
     "      --scene FILE    povray: the scene (default Debian's advanced/wineglass.pov)\n"
     "      --timeout S     an instance not done by then is starved (default 120)\n"
     "      --bw RATE       shape every link (e.g. 100Mbit): network workloads then\n"
     "                      report their aggregate against that capacity\n"
     "      --profile P     every node's resources: study (1 vCPU, 64 MiB: the\n"
     "                      study's guests) or none (default)\n"
     "      --cpus X        every node's CPU limit, over the profile's\n"
     "      --neighbour K   isolation: each backend without, then with, a noisy node\n"
     "                      beside the instances: cpu (a spinning loop), memory (a\n"
     "                      thrasher), network (a stream into its own sink), fork (a\n"
     "                      fork bomb held by its pids limit); each instance's\n"
     "                      slowdown against the run without it\n"
     "      --json FILE     everything measured, per instance\n"
     "\n"
     "vnetlab bench mpi: one MPI job (the project's vnetlab-mpi) with --ranks ranks in\n"
     "each environment: ns (a rank per ns node, over the emulated links), proc (a rank\n"
     "per proc node), solo (the ranks on the host, outside any lab), one (a single\n"
     "rank doing the whole problem: real machines x N), rm (a rank per host of --hosts:\n"
     "the study's RM(N); MPICH, whose mpiexec runs here and starts its proxies on the\n"
     "hosts through ssh or Slurm). Prints the benchmark's time,\n"
     "whether it verified, on how many hosts it ran and the bytes the nodes sent.\n"
     "  --mpi mpich|lam     MPICH (hydra, launched through vnetlab-rsh; over ssh in\n"
     "                      guests) or LAM/MPI\n"
     "                      (booted over an sshd per node, as user vnetlab)\n"
     "  --benchmark NAME    pingpong, sendrecv, allreduce, barrier, wtime, micro (all\n"
     "                      five); ep, is, cg, mg (NAS-style kernels; default ep)\n"
     "  --class S|W|A       the kernels' problem size (default S)\n"
     "  --ranks N           (default 4)\n"
     "  -b, --backend LIST  ns, vm, proc, solo, one, rm (default ns, proc, solo, one)\n"
     "  --hosts SPEC        rm's hosts, as above: --ranks must not exceed them\n"
     "  --timeout S         for each job (default 300); a job that printed its result\n"
     "                      and then hung in MPI_Finalize keeps its result\n"
     "  --bw RATE, --json FILE, --profile P  as above\n"},
    {"capacity",
     "WORKLOAD [--max N] [--threshold J] [--backend ns|proc|vm] [bench options] [--json FILE] "
     "[--plot PREFIX]",
     "the largest N whose instances all finish and share fairly",
     "Grow N (1, 2, 4, ... up to --max, default 32) and run N instances of WORKLOAD\n"
     "at once, as `vnetlab bench` does, until one does not finish within --timeout\n"
     "or Jain's index of their shares falls below --threshold (default 0.95).\n"
     "Reports the largest N that fit, and the linearity of time against N: a least\n"
     "squares line from N = the host's CPUs C, its slope against the ideal t(1)/C\n"
     "per instance (--plot PREFIX: PREFIX.dat, .gp and a gnuplot PREFIX.png).\n"},
    {"study",
     "[--out DIR] [-n LIST] [--workloads LIST] [--seconds S] [--size N] [--bytes SIZE] "
     "[--neighbour KIND] [--vm] [--real] [--mpi-class C] [--ranks N] [--hosts SPEC]",
     "the whole study: every workload at each N on ns, proc and solo, and a report",
     "Run `vnetlab bench` for each workload (default cpu,stream,bandwidth,mixed) at\n"
     "each N (default 5,10) on ns, proc and solo, keep each run's JSON in DIR\n"
     "(default results), then render the report: CSV files, plots (gnuplot, PNG and\n"
     "SVG) and DIR/report.md, which opens with the study's findings beside this host's.\n"
     "\n"
     "  --bytes SIZE        mixed and scp: how much each instance moves\n"
     "  --neighbour KIND    every workload also beside a noisy neighbour (as bench)\n"
     "  --vm                on virtual machines too (backend vm: QEMU guests, the\n"
     "                      study's own subject): the built-in workloads, with --real\n"
     "                      the real programs and the MPI comparison (a rank per guest:\n"
     "                      the study's LAM/MPI + VM(4)), when a guest kernel is there\n"
     "                      (make vm-kernel); else skipped, saying why.\n"
     "  --real              also the real programs: povray, iperf, iperf3 and scp at each\n"
     "                      N, netpipe between two nodes, and the MPI comparison with\n"
     "                      MPICH and LAM/MPI (pingpong, allreduce; ep, is, cg, mg at\n"
     "                      --mpi-class, default W, with --ranks ranks, default 4) on\n"
     "                      ns, proc, solo and one rank (and vm with --vm). Programs\n"
     "                      that are missing are skipped, and the report says why.\n"
     "  --hosts SPEC        real machines too (rm, one instance per host: ssh:H1,..., @FILE\n"
     "                      or slurm) at each N the hosts can hold, and a rank per host in\n"
     "                      the MPI comparison; the findings' rm column and \"VM time ~ N x\n"
     "                      real time\" against them (else solo stands in, and says so)\n"},
    {"report", "DIR", "render a study's report again from its JSON files",
     "Read DIR/*.json (as `vnetlab bench --json` writes them) and write DIR/*.csv,\n"
     "DIR/plots/ and DIR/report.md.\n"},
    {"mn", "[--topo T[,PARAMS]] [--switch S] [--controller C] [--link tc,...] [--host H] "
           "[--test T] [--mac] [--nat] [--ipbase CIDR] [--custom FILE] [-c]",
     "Mininet's mn command line over vnetlab",
     "Run mn's command line on a lab named mn: --topo linear|minimal|reversed|single|\n"
     "torus|tree with Mininet's parameters (tree,depth=2,fanout=8 or tree,2,8), every\n"
     "--switch a learning bridge and every --controller nothing (no OpenFlow; remote\n"
     "is refused), --link tc,bw=10,delay=5ms,loss=1,max_queue_size=100, --host\n"
     "cfs,cpu=F (F of all the machine's CPUs), --test pingall|pingpair|iperf|iperfudp|\n"
     "all|build|none (default: the CLI, vnetlab shell), --mac (host k: 00:..:k),\n"
     "--nat (the management network's NAT), --ipbase, -c (down mn, then clean).\n"
     "--custom FILE (its topos, switches, hosts, links, tests), --pre and --post run\n"
     "mn in Python, over the mininet package (vnetlab py). Refused, saying what to use\n"
     "instead: --xterms, --cluster, --innamespace. The lab is down when mn returns.\n"},
    {"capture", "LAB NODE:IF [NODE:IF...] [-w FILE|-] [-c COUNT] [-s SNAPLEN] [FILTER...]",
     "packets of a lab's interfaces, as pcap (tcpdump in their namespaces)",
     "Run tcpdump on each NODE:IF in its namespace: a node's interface, a switch's port\n"
     "(s1:p1, as the topology names it), a guest's interface (its host-side TAP).\n"
     "With -w FILE (- for stdout: vnetlab capture LAB r1:eth1 -w - | wireshark -k -i -)\n"
     "one interface is tcpdump's pcap, several are merged into one pcapng file with an\n"
     "interface per NODE:IF; without -w, tcpdump's text (each line prefixed with its\n"
     "NODE:IF when there are several). FILTER is tcpdump's (its errors are its own).\n"
     "-c stops after COUNT packets in all; Ctrl-C stops every tcpdump cleanly (each\n"
     "says what it captured and what the kernel dropped).\n"
     "\n"
     "  -w, --write FILE      pcap (one interface) or pcapng (several); - for stdout\n"
     "  -c, --count N         stop after N packets\n"
     "  -s, --snaplen BYTES   bytes kept of each packet (tcpdump's default: all)\n"
     "\n"
     "  e.g. vnetlab capture lab1 h1:eth0 -c 10 icmp\n"
     "       vnetlab capture lab1 h1:eth0 r1:eth2 -w both.pcapng\n"},
    {"py", "SCRIPT [ARGS] | -m MODULE [ARGS]", "run a Mininet Python script over vnetlab",
     "Run Debian's python3 where `import mininet` is vnetlab's Mininet-compatible\n"
     "package (and `import vnetlab` its own API), for SCRIPT and every Python process\n"
     "it starts (through PYTHONPATH); outside it, a Mininet installed on the machine is\n"
     "untouched. Arguments after py are python3's (SCRIPT ARGS, -m MODULE ARGS, -c CODE).\n"
     "Each Mininet() network is a lab named mn-PID-K, taken down by net.stop() or when\n"
     "the script ends. $VNETLAB_PYTHONPATH names another package directory.\n"
     "\n"
     "  e.g. sudo vnetlab py linuxrouter.py\n"
     "       sudo vnetlab py -m mininet.examples.linearbandwidth\n"},
    {"clean", "[--dry-run] [--orphans] [--templates]", "remove what crashed runs left behind",
     "Remove labs whose up or down never finished (killed or crashed), from their\n"
     "journal; put back host settings (sysctls) that no lab needs any more; and remove\n"
     "network namespaces tagged as vnetlab's (vl<id>-*, vl<id>.sw) whose lab is gone,\n"
     "if no process runs in them. Labs that are up, or being changed, are not touched.\n"
     "\n"
     "  -n, --dry-run       only list what would be removed\n"
     "      --orphans       also stop the processes in namespaces tagged as vnetlab's\n"
     "                      that no lab has, and remove them (nothing proves they are\n"
     "                      ours: their lab's directory is gone)\n"
     "      --templates     also remove the guests' templates (vm nodes are cloned\n"
     "                      from them; the next up makes them again), kept in\n"
     "                      /dev/shm/vnetlab-templates ($VNETLAB_VM_TEMPLATES)\n"},
    {"plan",
     "(-f FILE | --topo SPEC) [--name LAB] [--id ID] [--hosts N [--part K "
     "[--underlay-mtu M]]] [--json]",
     "print the names, addresses and routes up would create",
     "Print the plan of a topology: segments, subnets, bridges, interfaces, routes and\n"
     "/etc/hosts. Touches nothing. With --hosts N, its placement over N hosts instead:\n"
     "which host holds each node and switch, and the cut, the links between hosts with\n"
     "their bandwidth (METIS, weighted by each node's CPU and memory and each link's\n"
     "bandwidth, with a fixed seed; host: K in the file pins a node, group or kind).\n"
     "\n"
     "  -f, --file FILE / -t, --topo SPEC / -n, --name LAB / --pool CIDR / --ipv6 on|off\n"
     "      --id ID         the lab id to plan with (4 hex digits; default from the name)\n"
     "      --hosts N       place the lab over N hosts (1..1024; fewer if it has fewer\n"
     "                      nodes)\n"
     "      --json          the placement as JSON: nodes (name, host from 0), cut\n"
     "      --part K        the plan of host K's part as up --hosts makes it there: its\n"
     "                      nodes and switches, each link to another host a VXLAN\n"
     "                      (remote:IF, its VNI and host; hosts at 192.0.2.K+1)\n"
     "      --underlay-mtu M\n"
     "                      the hosts' underlay MTU for --part (default 1500)\n"},
    {"hosts",
     "[--hosts SPEC] [--underlay IFACE|CIDR] [--timeout S] [--carry FILE[:PATH]] [--json] "
     "[-- COMMAND...]",
     "check the hosts a lab would go on: underlay, MTU, vnetlab there",
     "Ask each host of SPEC for its underlay (its device, IPv4 address and MTU), the\n"
     "inner MTU a VXLAN link across it gets (the underlay's minus 50) and the version\n"
     "of vnetlab there (at this program's path, or $VNETLAB_HOSTS_VNETLAB). A host\n"
     "that cannot be reached or has no vnetlab fails, naming it and the cause.\n"
     "\n"
     "      --hosts SPEC    local (this machine, the default); ssh:H1,H2,... or @FILE\n"
     "                      (one host a line, # comments): root over OpenSSH with your\n"
     "                      ssh config ($VNETLAB_SSH_CONFIG if set), no prompts, shared\n"
     "                      connections; slurm: the nodes of the allocation it runs in\n"
     "                      (salloc or sbatch), through srun --overlap -w HOST\n"
     "      --underlay IFACE|CIDR\n"
     "                      the underlay on every host: that interface, or the one with\n"
     "                      an address in CIDR (default: the default route's device, or\n"
     "                      the only interface up with an IPv4 address)\n"
     "      --timeout S     how long a host may take to answer (default 30)\n"
     "      --carry FILE[:PATH]\n"
     "                      first copy FILE to PATH on every host (default: FILE's\n"
     "                      absolute path; written beside and renamed over)\n"
     "      --json          the hosts as JSON: backend, hosts (name, addr, dev, mtu,\n"
     "                      inner_mtu, version)\n"
     "  -- COMMAND...       run COMMAND on every host instead (its words passed as\n"
     "                      they are), each output line after the host's name\n"},
    {"save", "(LAB | -f FILE) [--dir DIR]", "write each FRR router's running configuration back",
     "In each FRR router of the lab, vtysh's `write memory` (into the router's\n"
     "/etc/frr: the lab's copy of its startup-config, or the file bound there), then\n"
     "a copy in DIR/NODE/frr.conf. DIR is containerlab's lab directory: with -f FILE\n"
     "(the lab's topology file, as `containerlab save -t`), clab-LAB beside it; with a\n"
     "lab's name, ./clab-LAB; or --dir.\n"},
    {"graph", "(LAB | -f FILE | --topo SPEC) [--format dot|svg|png|mermaid] [-o FILE]",
     "draw a lab: nodes by kind, links with their interfaces and impairments",
     "Draw a running lab (from its state), or a topology before it is up: hosts as\n"
     "rounded boxes, routers as ellipses, switches as 3-D boxes, each with its kind\n"
     "and backend; every link with the interface name and address at each end and\n"
     "the impairments of each direction. DOT and Mermaid are text; SVG and PNG are\n"
     "drawn by Graphviz's dot (Debian's graphviz).\n"
     "\n"
     "  -f, --file FILE / -t, --topo SPEC / -n, --name LAB  as for plan\n"
     "      --format F      dot (default), svg, png or mermaid; else from -o's extension\n"
     "  -o, --output FILE   write there (default stdout; a PNG needs a file on a terminal)\n"},
    {NULL, NULL, NULL, NULL},
};

void vl_cli_list(FILE *f)
{
	fputs("usage: vnetlab COMMAND [ARGS]\n\ncommands:\n", f);
	for (const struct vl_cmd_help *c = vl_cmd_help; c->name; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->summary);
	fputs("\n`vnetlab help COMMAND` or `vnetlab COMMAND --help` for details.\n", f);
}

int vl_cli_fail(const struct vl_err *err)
{
	fprintf(stderr, "vnetlab: %s\n", err->msg);
	return VL_EXIT_FAIL;
}

int vl_cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vnetlab %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	for (const struct vl_cmd_help *c = vl_cmd_help; c->name; c++)
		if (!strcmp(c->name, cmd))
			fprintf(stderr, "usage: vnetlab %s %s\n", c->name, c->args);
	return VL_EXIT_USAGE;
}

int vl_cli_help(const char *cmd)
{
	for (const struct vl_cmd_help *c = vl_cmd_help; c->name; c++) {
		if (!strcmp(c->name, cmd)) {
			printf("usage: vnetlab %s %s\n\n%s", c->name, c->args, c->help);
			return VL_EXIT_OK;
		}
	}
	fprintf(stderr, "vnetlab: no command %s\n", cmd);
	return VL_EXIT_USAGE;
}
