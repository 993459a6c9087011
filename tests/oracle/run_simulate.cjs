// Batch runner for the differential oracle: one Node process for all cases.
// Reads a JSON array of iam-simulate `Simulation` objects from the file named
// in argv[2]; prints a JSON array of {result, blockedBy, ignored, error}
// (ignored: context keys iam-simulate does not know for the action, so did not use).
// @cloud-copilot/iam-simulate is AGPL-3.0: used here as a test-time oracle only.
'use strict'
const fs = require('fs')
const { runSimulation } = require('@cloud-copilot/iam-simulate') // resolved from tests/oracle/node_modules

async function main() {
  const sims = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
  const out = []
  for (const sim of sims) {
    try {
      const r = await runSimulation(sim, {})
      if (r.resultType === 'error') {
        out.push({ error: JSON.stringify(r.errors).slice(0, 500) })
      } else if (r.resultType === 'single') {
        out.push({ result: r.overallResult, blockedBy: (r.result.analysis && r.result.analysis.blockedBy) || [],
                   ignored: r.result.ignoredContextKeys || [] })
      } else {
        out.push({ result: r.overallResult, blockedBy: [], note: r.resultType })
      }
    } catch (e) {
      out.push({ error: String(e && e.message || e).slice(0, 500) })
    }
  }
  process.stdout.write(JSON.stringify(out))
}

main().catch((e) => { console.error(e); process.exit(1) })
