//===- Report.cpp - allocsel-link's output formats ------------------------===//
//
// text:  compiler-style lines, "file:line:col: error: message [name]", then
//        notes; findings without a source location name the artifact.
// json:  {"tool", "version", "inputs", "findings": [{name, level, message,
//        location?, artifact, notes}], "exit_code"}.
// sarif: SARIF 2.1.0, one run, a rule per diagnostic name, a result per
//        finding with related locations for the notes.
//
//===----------------------------------------------------------------------===//

#include "Report.h"
#include "DiagnosticNames.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

namespace allocsel::link {
namespace {

const char *const Version = ALLOCSEL_VERSION;

void textLocation(llvm::raw_ostream &OS, const std::optional<facts::Location> &Loc,
                  const Origin &Where) {
  if (Loc && !Loc->File.empty())
    OS << Loc->File << ":" << Loc->Line << ":" << Loc->Column << ": ";
  else
    OS << "allocsel-link: " << Where.str() << ": ";
}

llvm::json::Value jsonLocation(const facts::Location &L) {
  return llvm::json::Object{{"file", L.File}, {"line", L.Line}, {"column", L.Column}};
}

llvm::json::Object jsonFinding(const Finding &F) {
  llvm::json::Array Notes;
  for (const Finding::Note &N : F.Notes) {
    llvm::json::Object O{{"message", N.Message}, {"artifact", N.Where.str()}};
    if (N.Loc)
      O["location"] = jsonLocation(*N.Loc);
    Notes.push_back(std::move(O));
  }
  llvm::json::Object O{{"name", F.Name},
                       {"level", F.Warning ? "warning" : "error"},
                       {"message", F.Message},
                       {"artifact", F.Where.str()},
                       {"notes", std::move(Notes)}};
  if (F.Loc)
    O["location"] = jsonLocation(*F.Loc);
  return O;
}

llvm::json::Object sarifLocation(const std::optional<facts::Location> &Loc,
                                 const Origin &Where, const std::string *Message) {
  llvm::json::Object Physical;
  if (Loc && !Loc->File.empty()) {
    Physical["artifactLocation"] = llvm::json::Object{{"uri", Loc->File}};
    Physical["region"] = llvm::json::Object{{"startLine", std::max<uint32_t>(Loc->Line, 1)},
                                            {"startColumn", std::max<uint32_t>(Loc->Column, 1)}};
  } else {
    Physical["artifactLocation"] = llvm::json::Object{{"uri", Where.File}};
  }
  llvm::json::Object O{{"physicalLocation", std::move(Physical)}};
  if (!Where.Member.empty() || Loc)
    O["logicalLocations"] =
        llvm::json::Array{llvm::json::Object{{"fullyQualifiedName", Where.str()}, {"kind", "module"}}};
  if (Message)
    O["message"] = llvm::json::Object{{"text", *Message}};
  return O;
}

} // namespace

void report(const CheckResult &R, llvm::ArrayRef<std::string> Files, Format F,
            llvm::raw_ostream &OS, llvm::StringRef DocsUri) {
  if (F == Format::Text) {
    for (const Finding &Fd : R.Findings) {
      textLocation(OS, Fd.Loc, Fd.Where);
      OS << (Fd.Warning ? "warning: " : "error: ") << Fd.Message << " [" << Fd.Name << "]\n";
      for (const Finding::Note &N : Fd.Notes) {
        textLocation(OS, N.Loc, N.Where);
        OS << "note: " << N.Message << "\n";
      }
    }
    return;
  }

  if (F == Format::Json) {
    llvm::json::Array Inputs, Findings;
    for (const std::string &File : Files)
      Inputs.push_back(File);
    for (const Finding &Fd : R.Findings)
      Findings.push_back(jsonFinding(Fd));
    OS << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object{
                                      {"tool", "allocsel-link"},
                                      {"version", Version},
                                      {"inputs", std::move(Inputs)},
                                      {"findings", std::move(Findings)},
                                      {"exit_code", R.exitCode()}}))
       << "\n";
    return;
  }

  llvm::json::Array RuleArray, Results, Artifacts;
  // The rules: the registry's diagnostics the link check reports.
  for (const DiagNameInfo &D : DiagNames) {
    if (D.Where != DiagWhere::Link && D.Where != DiagWhere::CompileAndLink)
      continue;
    llvm::json::Object Rule{{"id", D.Name},
                            {"shortDescription", llvm::json::Object{{"text", D.Summary}}}};
    if (!DocsUri.empty())
      Rule["helpUri"] = (DocsUri + "#" + D.Name).str();
    RuleArray.push_back(std::move(Rule));
  }
  for (const std::string &File : Files)
    Artifacts.push_back(llvm::json::Object{{"location", llvm::json::Object{{"uri", File}}}});
  for (const Finding &Fd : R.Findings) {
    llvm::json::Array Related;
    for (const Finding::Note &N : Fd.Notes)
      Related.push_back(sarifLocation(N.Loc, N.Where, &N.Message));
    llvm::json::Object Res{
        {"ruleId", Fd.Name},
        {"level", Fd.Warning ? "warning" : "error"},
        {"message", llvm::json::Object{{"text", Fd.Message + " [" + Fd.Name + "]"}}},
        {"locations", llvm::json::Array{sarifLocation(Fd.Loc, Fd.Where, nullptr)}}};
    if (!Related.empty())
      Res["relatedLocations"] = std::move(Related);
    Results.push_back(std::move(Res));
  }
  llvm::json::Object Sarif{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       llvm::json::Array{llvm::json::Object{
           {"tool", llvm::json::Object{{"driver",
                                        llvm::json::Object{{"name", "allocsel-link"},
                                                           {"version", Version},
                                                           {"rules", std::move(RuleArray)}}}}},
           {"artifacts", std::move(Artifacts)},
           {"results", std::move(Results)}}}}};
  OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(Sarif))) << "\n";
}

} // namespace allocsel::link
