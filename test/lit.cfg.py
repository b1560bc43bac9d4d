# lit configuration for allocsel's regression suite.
#
# The suite runs against one Clang major version: the default (19), or the
# one given with `lit --param clang=22` (ctest has an entry per suite and
# version). Then %clangxx, %clang and %plugin are that version's, `clang++`,
# `allocsel-clang++` and `allocsel-clang` on PATH are that version's, CXX and
# CC name its compilers (allocsel-config's default follows them), the
# feature clang-MAJOR is set, and the outputs go to build/test-clang-MAJOR.
#
# Substitutions:
#   %clangxx / %clang   clang++ / clang of the version under test, no plugin
#   %cxx                clang++ -std=c++20 with allocsel's plugin and headers
#   %cc                 clang -std=c2x with allocsel's plugin and headers
#   %plugin             absolute path of the plugin (lib/allocsel-MAJOR.so)
#   %clang_major        the Clang major version under test
#   %allocsel_include   the include directory of <allocsel/alloc.h>
#   %src_root           the source tree
#   %allocsel_obj_root  the build tree
#   %python             the Python that runs lit
#   %allocsel_clangd    the language server (build/bin/allocsel-clangd; its
#                       clangd and clang: the version under test)
#   %lsp_python         %python with the scripted LSP client
#                       (editor/Inputs/lspclient.py) importable
#   %corpus_sample      units in the corpus sample (fewer for the other Clang)
import os

import lit.formats

config.name = "allocsel"
# RUN lines run in bash: tests use command substitution like real build scripts.
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".cpp", ".c", ".test"]
config.excludes = ["Inputs"]
# Helper scripts beside a test (NAME.test.py) are not tests.
config.test_source_root = os.path.dirname(__file__)

clang_major = lit_config.params.get("clang", config.allocsel_default_clang)
if clang_major not in config.allocsel_clang_dirs:
    lit_config.fatal(f"no allocsel plugin for Clang {clang_major} in this build "
                     f"(built: {', '.join(sorted(config.allocsel_clang_dirs))})")
if clang_major == config.allocsel_default_clang:
    config.test_exec_root = os.path.join(config.allocsel_obj_root, "test")
else:
    config.name = f"allocsel-clang-{clang_major}"
    config.test_exec_root = os.path.join(config.allocsel_obj_root, f"test-clang-{clang_major}")
config.available_features.add(f"clang-{clang_major}")
# Tests of code whose behaviour does not depend on the Clang version (the
# editor proxy's message handling, trust, signals and framing; the link
# tool's and the analysis's work at size; the Debian package; the README's
# snippets; Make, ccache, sccache, icecream and CMake's duplicate report,
# the same wrapper and package code for every version) run once, in the
# default Clang's suite: `REQUIRES: default-clang`. The other version's
# suite keeps every test that compiles, links, checks or runs code with its
# plugin in a way of its own (routes, modules, the wrappers' modes, CMake's
# and pkg-config's version choice, LTO and lld, sanitizers with raw flags:
# the sanitizers through the wrapper and CMake run once, in the default's),
# and a smaller deterministic corpus sample (%corpus_sample units;
# scripts/corpus runs the whole corpus).
if clang_major == config.allocsel_default_clang:
    config.available_features.add("default-clang")
config.substitutions.append(
    ("%corpus_sample", "110" if clang_major == config.allocsel_default_clang else "60"))
# The versions this build has plugins for, whichever is under test.
for major in config.allocsel_clang_dirs:
    config.available_features.add(f"plugin-for-clang-{major}")

# FileCheck, not, count, split-file: LLVM 19's tools (llvm-19-tools).
tools = config.llvm_tools_dir
clang_dir = config.allocsel_clang_dirs[clang_major]
path = [config.allocsel_bin_dir, tools]
if clang_major != config.allocsel_default_clang:
    # The wrappers by their plain names run this version: a directory of
    # links first on PATH (allocsel-clang++ -> allocsel-clang++-22), and
    # `clang++` is this version's.
    shim = os.path.join(config.test_exec_root, "bin")
    os.makedirs(shim, exist_ok=True)
    for name in ("allocsel-clang++", "allocsel-clang", "clang++", "clang"):
        target = (os.path.join(config.allocsel_bin_dir, f"{name}-{clang_major}")
                  if name.startswith("allocsel") else os.path.join(clang_dir, name))
        # ctest runs several suites at once: replace the link atomically.
        link = os.path.join(shim, name)
        tmp = f"{link}.{os.getpid()}"
        os.symlink(target, tmp)
        os.replace(tmp, link)
    path = [shim, config.allocsel_bin_dir, tools]
config.environment["PATH"] = os.pathsep.join(
    path + [config.environment.get("PATH", os.environ["PATH"])])
# Diagnostics are matched as text: no colours, no terminal width.
config.environment["TERM"] = "dumb"
# What tools keep in the user's cache (allocsel-clangd's clangd config and
# preambles, ccache's objects) stays in the build tree.
config.environment["XDG_CACHE_HOME"] = os.path.join(config.test_exec_root, "xdg-cache")

clangxx = os.path.join(clang_dir, "clang++")
clang = os.path.join(clang_dir, "clang")
# allocsel-config answers for CXX when --cxx= is not given.
config.environment["CXX"] = clangxx
config.environment["CC"] = clang
plugin = os.path.join(config.allocsel_lib_dir, f"allocsel-{clang_major}.so")
allocsel_flags = f"-fplugin={plugin} -I{config.allocsel_include_dir}"

# Longest names first: lit substitutes in order.
config.substitutions += [
    ("%allocsel_obj_root", config.allocsel_obj_root),
    ("%allocsel_include", config.allocsel_include_dir),
    ("%allocsel_bin", config.allocsel_bin_dir),
    ("%allocsel_lib", config.allocsel_lib_dir),
    ("%src_root", config.allocsel_src_root),
    ("%clang_major", clang_major),
    ("%clangxx", clangxx),
    ("%clang", clang),
    ("%plugin", plugin),
    ("%allocsel_clangd", os.path.join(config.allocsel_bin_dir, "allocsel-clangd")),
    ("%lsp_python", "env PYTHONPATH=" + os.path.join(config.allocsel_src_root, "test", "editor", "Inputs")
     + " " + config.python),
    ("%python", config.python),
    ("%cxx", f"{clangxx} -std=c++20 {allocsel_flags}"),
    ("%cc", f"{clang} -std=c2x {allocsel_flags}"),
]

# Sanitizer runtimes (libclang-rt-19-dev), valgrind and libc++ (libc++-19-dev):
# scripts/setup installs them; tests that need them say so.
import shutil
import subprocess

resource_dir = subprocess.run([clangxx, "-print-resource-dir"], capture_output=True,
                              text=True).stdout.strip()
if any(os.path.exists(os.path.join(resource_dir, "lib", d, "libclang_rt.tsan-x86_64.a"))
       for d in ("linux", "x86_64-pc-linux-gnu", "x86_64-unknown-linux-gnu")):
    config.available_features.add("sanitizers")
if shutil.which("meson") and shutil.which("ninja"):
    config.available_features.add("meson")
if shutil.which("ccache"):
    config.available_features.add("ccache")
if shutil.which("pkg-config"):
    config.available_features.add("pkg-config")
if shutil.which("dpkg-deb") and shutil.which("cpack"):
    config.available_features.add("dpkg")
    # apt can resolve a package's dependencies (it has package lists).
    import glob
    if shutil.which("apt-get") and glob.glob("/var/lib/apt/lists/*_Packages*"):
        config.available_features.add("apt-lists")
if shutil.which("distcc") and shutil.which("distccd") and shutil.which("setsid"):
    config.available_features.add("distcc")
# icecream: the client, the scheduler, the daemon and icecc-create-env
# (Debian's icecc). Its compile server runs each job chrooted in the
# environment the client sends, which needs root (iceccd then drops to the
# user icecc and keeps CAP_SYS_CHROOT); as another user it accepts no
# remote jobs, and a test of remote compiles would test nothing.
if (all(shutil.which(t) for t in ("icecc", "iceccd", "icecc-scheduler", "icecc-create-env", "setsid"))
        and os.geteuid() == 0):
    config.available_features.add("icecc")
if shutil.which("sccache"):
    config.available_features.add("sccache")
if shutil.which("valgrind"):
    config.available_features.add("valgrind")

# setuid: tests can make a setuid or setgid program and run it in secure mode
# (AT_SECURE): they run as root (to give a file to the user nobody), and the
# build tree is on a file system mounted without nosuid (where the kernel
# ignores the setuid bit and file capabilities).
import pwd
try:
    pwd.getpwnam("nobody")
    has_nobody = True
except KeyError:
    has_nobody = False
if (os.geteuid() == 0 and has_nobody
        and not os.statvfs(config.allocsel_obj_root).f_flag & os.ST_NOSUID):
    config.available_features.add("setuid")
    # file-capabilities: also run a program with a file capability as nobody
    # (setcap, setpriv), who must be able to reach the build tree.
    def others_may_enter(path):
        while True:
            if not os.stat(path).st_mode & 0o001:
                return False
            parent = os.path.dirname(path)
            if parent == path:
                return True
            path = parent
    if (shutil.which("setcap") and shutil.which("setpriv")
            and others_may_enter(config.allocsel_obj_root)):
        config.available_features.add("file-capabilities")

# Other Clang versions on the machine (22 too when testing 19, and 19 when
# testing 22): the plugin must refuse them cleanly.
other_clangs = [f"clang++-{v}" for v in range(14, 30)
                if str(v) != clang_major and shutil.which(f"clang++-{v}")]
if other_clangs:
    config.available_features.add("other-clang")
config.substitutions.append(("%other_clangs", " ".join(other_clangs)))

# The fuzz target is built with clang's libFuzzer (libclang-rt-19-dev).
if os.path.exists(os.path.join(config.allocsel_bin_dir, "allocsel-link-fuzz")):
    config.available_features.add("fuzzer")

# allocsel-clangd's long-lived compiler for the Clang under test (built when
# that Clang's libclang-cpp is found: the default Clang's only).
if os.path.exists(os.path.join(config.allocsel_bin_dir, f"allocsel-clangd-worker-{clang_major}")):
    config.available_features.add("clangd-worker")

# The editor tests run the real clangd of the version under test (clangd-19,
# or clangd-22 with --param clang=22, when allocsel-clangd then also runs
# that clang for every file), and real editors when they are installed
# (scripts/setup --tests installs them): Neovim, and Emacs with eglot.
clangd = shutil.which(f"clangd-{clang_major}") or os.path.join(clang_dir, "clangd")
if os.path.exists(clangd):
    config.available_features.add("clangd")
    config.environment["ALLOCSEL_CLANGD"] = clangd
for major, directory in config.allocsel_clang_dirs.items():
    if os.path.exists(os.path.join(directory, "clangd")):
        config.available_features.add(f"clangd-{major}")
if clang_major != config.allocsel_default_clang:
    config.environment["ALLOCSEL_CLANGXX"] = clangxx
    config.environment["ALLOCSEL_CLANG"] = clang
if shutil.which("nvim"):
    config.available_features.add("nvim")
# Emacs with eglot (built in from Emacs 29, elpa-eglot in Debian 12).
if shutil.which("emacs"):
    try:
        if subprocess.run(["emacs", "--batch", "--eval", "(require 'eglot)"],
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, timeout=60).returncode == 0:
            config.available_features.add("emacs")
    except subprocess.TimeoutExpired:
        pass
