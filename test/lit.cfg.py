# lit configuration for allocsel's regression suite.
#
# Substitutions:
#   %clangxx / %clang   clang++-19 / clang-19, no plugin
#   %cxx                clang++ -std=c++20 with allocsel's plugin and headers
#   %cc                 clang -std=c2x with allocsel's plugin and headers
#   %plugin             absolute path of allocsel.so
#   %allocsel_include   the include directory of <allocsel/alloc.h>
#   %src_root           the source tree
#   %python             the Python that runs lit
#   %allocsel_clangd    the language server (build/bin/allocsel-clangd)
#   %lsp_python         %python with the scripted LSP client
#                       (editor/Inputs/lspclient.py) importable
import os

import lit.formats

config.name = "allocsel"
# RUN lines run in bash: tests use command substitution like real build scripts.
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".cpp", ".c", ".test"]
config.excludes = ["Inputs"]
# Helper scripts beside a test (NAME.test.py) are not tests.
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.allocsel_obj_root, "test")

tools = config.llvm_tools_dir
config.environment["PATH"] = os.pathsep.join(
    [config.allocsel_bin_dir, tools, config.environment.get("PATH", os.environ["PATH"])])
# Diagnostics are matched as text: no colours, no terminal width.
config.environment["TERM"] = "dumb"

clangxx = os.path.join(tools, "clang++")
clang = os.path.join(tools, "clang")
plugin = os.path.join(config.allocsel_lib_dir, "allocsel.so")
allocsel_flags = f"-fplugin={plugin} -I{config.allocsel_include_dir}"

# Longest names first: lit substitutes in order.
config.substitutions += [
    ("%allocsel_include", config.allocsel_include_dir),
    ("%allocsel_bin", config.allocsel_bin_dir),
    ("%allocsel_lib", config.allocsel_lib_dir),
    ("%src_root", config.allocsel_src_root),
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
if shutil.which("valgrind"):
    config.available_features.add("valgrind")

# Other Clang versions on the machine: the plugin must refuse them cleanly.
other_clangs = [f"clang++-{v}" for v in (14, 15, 16, 17, 18, 20, 21, 22)
                if shutil.which(f"clang++-{v}")]
if other_clangs:
    config.available_features.add("other-clang")
config.substitutions.append(("%other_clangs", " ".join(other_clangs)))

# The fuzz target is built with clang's libFuzzer (libclang-rt-19-dev).
if os.path.exists(os.path.join(config.allocsel_bin_dir, "allocsel-link-fuzz")):
    config.available_features.add("fuzzer")

# The editor tests run the real clangd 19, and a real editor when Neovim is
# installed (scripts/setup --tests installs it).
if shutil.which("clangd-19") or os.path.exists(os.path.join(tools, "clangd")):
    config.available_features.add("clangd")
if shutil.which("nvim"):
    config.available_features.add("nvim")
