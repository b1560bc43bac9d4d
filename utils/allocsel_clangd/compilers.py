"""Compiler runs: which clang runs a file's check (only the trusted ones,
docs/design.md "Trust"), which plugin it loads, and the command it runs with
(the compile database's flags, filtered)."""

import fnmatch
import os
import re
import shlex
import shutil
import subprocess

from .config import (CLANG, CLANGXX, CLANG_DIRS, C_EXTS, FORCED_CLANG, FORCED_CLANGXX,
                     INCLUDE_DIR, PLUGIN, PREFIX, setting)
from .files import MAX_RESPONSE_FILE, NotReadable, read_regular
from .logs import log, notice


# ---------------------------------------------------------------------------
# Trust: what a compile command may make this server run (docs/design.md,
# "Trust"). A compile database comes with the repository a user just cloned:
# like clangd, this server never runs the compiler it names (unless the user
# allows it with --query-driver) and never lets its flags load code.

# Compiler names that say their Clang major version: clang++-22,
# clang-19, allocsel-clang++-22, x86_64-linux-gnu-clang-19.
VERSIONED_NAME_RE = re.compile(r"^(?:.*-)?clang(?:\+\+)?-([0-9]+)$")
# A path into a Clang installation: /usr/lib/llvm-22/bin/clang++.
INSTALL_PATH_RE = re.compile(r"/llvm-([0-9]+)/bin/[^/]*clang[^/]*$")
CLANG_VERSION_RE = re.compile(r"\bclang version ([0-9]+)\.")

query_driver_globs = []   # --query-driver=GLOB,...: compilers the user lets run
# The compilers the user's own environment names (ALLOCSEL_CLANGXX, ...).
TRUSTED_BY_USER = {os.path.realpath(shutil.which(p) or p) for p in (FORCED_CLANGXX, FORCED_CLANG)
                   if p}
_majors = {}               # (compiler, directory) -> major or None


def compiler_major(compiler, directory):
    """The Clang major version of a compile command's `compiler`, found
    without running it: from its name, or from where it resolves (symlinks
    followed, PATH searched; nothing executed). Only a compiler matching a
    --query-driver glob is asked (`--version`). None when unknown (GCC, an
    unknown name, a Clang not allowed to run)."""
    key = (compiler, directory)
    if key in _majors:
        return _majors[key]
    major, how = None, "unknown"
    m = VERSIONED_NAME_RE.match(os.path.basename(compiler))
    if m:
        major, how = int(m.group(1)), "by its name"
    else:
        if os.sep in compiler:
            path = os.path.join(directory, compiler)
        else:
            path = shutil.which(compiler) or ""
        real = os.path.realpath(path) if path else ""
        m = INSTALL_PATH_RE.search(real) or VERSIONED_NAME_RE.match(os.path.basename(real))
        if m:
            major, how = int(m.group(1)), "by where it resolves (%s)" % real
        elif real and (real in TRUSTED_BY_USER or any(
                fnmatch.fnmatchcase(real, g) or fnmatch.fnmatchcase(path, g)
                for g in query_driver_globs)):
            major, how = query_driver(real), "by its --version (allowed by --query-driver)"
        elif real:
            how = "not run: it matches no --query-driver glob"
    _majors[key] = major
    log("compiler %s: Clang %s, %s" % (compiler, major if major is not None else "?", how))
    return major


def query_driver(path):
    """The Clang major of a compiler the user allowed to run (--query-driver)."""
    try:
        r = subprocess.run([path, "--version"], stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    m = CLANG_VERSION_RE.search(r.stdout[:4096].decode("utf-8", errors="replace"))
    return int(m.group(1)) if m else None


def plugin_of(major):
    """allocsel's own plugin for a Clang major version, if it has one."""
    path = os.path.join(PREFIX, "lib", "allocsel-%d.so" % major)
    return path if os.path.isfile(path) else None


def build_clang(compiler, directory, c):
    """The trusted clang driver (C or C++ as `c` says) and plugin for a
    compile command's `compiler`: the installation allocsel was built
    against for that Clang version, when allocsel has a plugin for it; else
    None (GCC, a Clang without a plugin, an unknown compiler)."""
    major = compiler_major(compiler, directory)
    if major is None or str(major) not in CLANG_DIRS or not plugin_of(major):
        log(f"compiler {compiler}: no allocsel plugin for it, runs the default clang")
        return None
    driver = os.path.join(CLANG_DIRS[str(major)], "clang" if c else "clang++")
    return (driver, plugin_of(major)) if os.access(driver, os.X_OK) else None


def plugin_for(driver):
    """The plugin for a trusted or user-given clang `driver`: by the version
    its path names, else the default plugin (ALLOCSEL_CLANGXX names a clang
    the user trusts; its version is read from its path only)."""
    major = compiler_major(driver, os.getcwd())
    return (plugin_of(major) if major is not None else None) or PLUGIN

WRAPPERS = {"ccache", "sccache", "distcc", "icecc"}
# The build's own outputs and diagnostic formatting, replaced by this
# server's: dropped with their value (the next argument), or alone.
DROP_WITH_VALUE = {"-o", "-MF", "-MT", "-MQ", "-MJ", "--serialize-diagnostics",
                   "-serialize-diagnostics", "-dependency-file", "--output"}
DROP = {"-c", "-S", "-E", "-M", "-MM", "-MD", "-MMD", "-MP", "-MG", "-fsyntax-only",
        "-fcolor-diagnostics", "-fdiagnostics-color", "-fno-caret-diagnostics", "-Werror", "-pipe",
        "-fno-diagnostics-fixit-info", "-fno-show-column", "--",
        # It resolves the overlay's name to the temporary file: diagnostics
        # would name it instead of the real path. Paths are made absolute
        # against the working directory instead.
        "-fdiagnostics-absolute-paths"}
DROP_PREFIXES = ("-MF", "-MT", "-MQ", "-fdiagnostics-color", "--output=", "-Werror",
                 "-ferror-limit", "-fdiagnostics-format")

# Trust (docs/design.md): what a compile command may not make clang do.
# Load code (plugins, pass plugins, cc1's -load), pass arguments past the
# driver's parsing to cc1, LLVM, the preprocessor, assembler, linker or
# another target's toolchain (-Xclang, -mllvm, -Wp, -Xarch_...), read more
# flags from a config file, switch the driver's mode, or write files (crash
# reproducers, temporaries, traces). Each is dropped, with its value where it
# takes the next argument; -fplugin-arg-allocsel-* (allocsel's own options)
# stays. A command that is itself a cc1 invocation is not used at all.
UNTRUSTED_WITH_VALUE = {
    "-Xclang", "-mllvm", "-Xlinker", "-Xassembler", "-Xpreprocessor", "-Xanalyzer", "-Xflang",
    "-Xcuda-fatbinary", "-Xcuda-ptxas", "-Xopenmp-target", "-load", "-plugin", "-add-plugin",
    "--config", "-ccc-install-dir", "-ccc-gcc-name", "--driver-mode"}
UNTRUSTED_PREFIXES_WITH_VALUE = ("-Xarch_", "-Xopenmp-target=", "-Xoffload-linker",
                                 "-plugin-arg-")
UNTRUSTED_PREFIXES = (
    "-fplugin=", "-fpass-plugin=", "-fplugin-arg-", "-X", "-mllvm=", "-Wp,", "-Wa,", "-Wl,",
    "--config=", "--config-system-dir=", "--config-user-dir=", "--driver-mode=", "-ccc-",
    "-save-temps", "-ftime-trace", "-fproc-stat-report", "-fcrash-diagnostics", "-gen-reproducer")
ALLOCSEL_PLUGIN_ARG = "-fplugin-arg-allocsel-"
# The plugin's options that write a file they name: never from a compile
# database (this server passes its own record-to, a memory file).
ALLOCSEL_PLUGIN_ARGS_WRITING = (ALLOCSEL_PLUGIN_ARG + "record-to",)
# Response files: nested ones count against one budget (a file that names
# itself twice would otherwise double at each level).
MAX_RESPONSE_DEPTH = 8


def expand_response_files(args, base, dropped, budget=None, depth=0):
    """`args` with every @FILE replaced by the arguments it holds (GNU
    quoting; a nested @FILE relative to the file that names it, as clang
    reads them), read by read_regular within one budget of bytes. One that
    cannot be read is dropped (and listed in `dropped`): clang would
    otherwise read it itself, unfiltered."""
    budget = budget if budget is not None else [MAX_RESPONSE_FILE]
    out = []
    for a in args:
        if not a.startswith("@") or len(a) == 1:
            out.append(a)
            continue
        path = os.path.normpath(os.path.join(base, a[1:]))
        try:
            if depth >= MAX_RESPONSE_DEPTH:
                raise NotReadable("response files nested more than %d deep" % MAX_RESPONSE_DEPTH)
            data = read_regular(path, budget[0])
            budget[0] -= len(data)
            inner = shlex.split(data.decode("utf-8", errors="replace"))
        except (OSError, ValueError) as e:
            dropped.append("%s (%s)" % (a, e))
            continue
        out += expand_response_files(inner, os.path.dirname(path), dropped, budget, depth + 1)
    return out


# cc1 flags that build systems pass with -Xclang and that only read what
# they name (CMake's precompiled headers): kept. Any other -Xclang goes.
XCLANG_KEPT_WITH_VALUE = {"-include-pch", "-include"}
XCLANG_KEPT = {"-fno-pch-timestamp", "-fno-validate-pch", "-fpch-instantiate-templates",
               "-fno-pch-instantiate-templates"}


def own_plugin(arg):
    """Whether `arg` loads allocsel's own plugin from this allocsel's lib/
    (a command made by allocsel-clang++ or allocsel_enable()): replaced by
    the run's own plugin, without a word."""
    if not arg.startswith("-fplugin="):
        return False
    path = os.path.realpath(arg[len("-fplugin="):])
    return (os.path.dirname(path) == os.path.realpath(os.path.join(PREFIX, "lib"))
            and re.fullmatch(r"allocsel(-[0-9]+)?\.so", os.path.basename(path)) is not None)


def trusted_args(args, dropped):
    """The arguments of a compile command (after the compiler) without what
    Trust forbids; what was dropped is listed in `dropped`."""
    out, i = [], 0
    while i < len(args):
        a = args[i]
        if a.startswith(ALLOCSEL_PLUGIN_ARGS_WRITING):
            dropped.append(a)
            i += 1
            continue
        if a.startswith(ALLOCSEL_PLUGIN_ARG):
            out.append(a)
            i += 1
            continue
        if own_plugin(a):
            i += 1
            continue
        if a == "-Xclang" and i + 1 < len(args):
            v = args[i + 1]
            if v in XCLANG_KEPT:
                out += args[i:i + 2]
                i += 2
                continue
            if (v in XCLANG_KEPT_WITH_VALUE and i + 3 < len(args) and args[i + 2] == "-Xclang"
                    and not args[i + 3].startswith("-")):
                out += args[i:i + 4]
                i += 4
                continue
        if a in UNTRUSTED_WITH_VALUE or a.startswith(UNTRUSTED_PREFIXES_WITH_VALUE):
            dropped.append(shlex.join(args[i:i + 2]))
            i += 2
            continue
        if a.startswith(UNTRUSTED_PREFIXES) or a.startswith("-cc1"):
            dropped.append(a)
            i += 1
            continue
        out.append(a)
        i += 1
    return out


def is_c(file, compiler):
    ext = os.path.splitext(file)[1]
    if ext in C_EXTS:
        return True
    return False


def split_command(args):
    """(compiler, arguments) of a compile command: launchers in front
    (ccache, distcc, `env VAR=value`) are skipped, never run."""
    args = list(args)
    while args:
        name = os.path.basename(args[0])
        if name in WRAPPERS:
            args = args[1:]
        elif name == "env":
            args = args[1:]
            while args and (args[0].startswith("-") or "=" in args[0]):
                args = args[1:]
        else:
            break
    return (args[0] if args else "clang++"), args[1:]


def compile_base(entry, file):
    """(argv, directory, is C) of an allocsel compile of `entry` for
    `file`, without its action and input. Only trusted compilers run
    (build_clang); the command's flags go through trusted_args."""
    compiler, rest = split_command(entry["args"])
    directory = entry["directory"]
    dropped = []
    if any(a.startswith("-cc1") for a in rest[:1]):
        dropped.append(shlex.join(rest))
        rest = []
    rest = trusted_args(expand_response_files(rest, directory, dropped), dropped)
    out = []
    i = 0
    while i < len(rest):
        a = rest[i]
        if a in DROP_WITH_VALUE:
            i += 2
            continue
        if (a in DROP or a.startswith(DROP_PREFIXES)
                or (a.startswith("-o") and len(a) > 2 and not a.startswith("-objc"))):
            i += 1
            continue
        if not a.startswith("-") and os.path.normpath(os.path.join(directory, a)) == file:
            i += 1
            continue
        out.append(a)
        i += 1
    if dropped:
        notice(("dropped", file, tuple(dropped)),
               "allocsel-clangd: the compile command of %s asks clang to load or run code, pass "
               "flags past its driver, or read or write files it names; allocsel's check of it "
               "runs without: %s" % (file, " ".join(dropped)))
    c = is_c(file, compiler)
    forced = FORCED_CLANG if c else FORCED_CLANGXX
    chosen = None if forced else build_clang(compiler, directory, c)
    real, plugin = chosen or (None, None)
    real = forced or real or (CLANG if c else CLANGXX)
    plugin = plugin or plugin_for(real)
    flags = ["-fplugin=" + plugin]
    # Not -fno-caret-diagnostics: clang prints the parseable fix-its with the
    # caret lines, so without carets there would be no fix-its. The source
    # lines it prints are skipped by the parser. No crash reproducers: a
    # crash is reported to the editor, and nothing is written.
    flags += ["-I" + INCLUDE_DIR, "-fno-color-diagnostics", "-fdiagnostics-parseable-fixits",
              "-fno-diagnostics-show-option", "-ferror-limit=0", "-fno-crash-diagnostics"]
    test_cmd = setting("ALLOCSEL_CLANGD_TEST_COMPILER")
    head = shlex.split(test_cmd) if test_cmd else [real]
    return head + out + flags, directory, c


def adjust_command(compile, file, overlay, preamble=None, more=()):
    """The allocsel run (`compile`: compile_base's result for `file`) of
    `file`, its text through the overlay: argv and working directory; with
    a `preamble` (Preamble) its PCH; `more` arguments before the file."""
    base, directory, _ = compile
    extra = ["-include-pch", preamble.pch, "-iquote", os.path.dirname(file)] if preamble else []
    return (base + ["-fsyntax-only", "-ivfsoverlay", overlay] + extra + list(more) + [file],
            directory)


def run_command(compile, file, more=()):
    """The allocsel run of `file` by a worker (worker.py: the texts come in
    the request, the preamble is its own): argv and working directory."""
    base, directory, _ = compile
    return base + ["-fsyntax-only"] + list(more) + [file], directory


def preamble_command(compile, file, header, pch, deps):
    """The build of the PCH of `file`'s preamble (`header`): argv and
    working directory. The same flags and plugin as the file's run
    (`compile`: compile_base's result; the macros of <allocsel/alloc.h>
    depend on the plugin), quote includes from the file's directory, and
    the header's dependencies in `deps`."""
    base, directory, c = compile
    return base + ["-iquote", os.path.dirname(file), "-MD", "-MF", deps, "-o", pch,
                   "-x", "c-header" if c else "c++-header", header], directory
