// Validates an RDF file (Turtle .ttl or JSON-LD .jsonld) against SHACL shapes with rdf-validate-shacl and
// prints the report as one JSON line. Usage: node validate.mjs <shapes.ttl> <data file>
import rdf from '@zazuko/env-node'
import SHACLValidator from 'rdf-validate-shacl'

const [shapesPath, dataPath] = process.argv.slice(2)
const shapes = await rdf.dataset().import(rdf.fromFile(shapesPath))
const data = await rdf.dataset().import(rdf.fromFile(dataPath))
const report = await new SHACLValidator(shapes, { factory: rdf }).validate(data)
console.log(JSON.stringify({
  conforms: report.conforms,
  triples: data.size,
  results: report.results.map(r => ({
    severity: r.severity?.value,
    message: r.message.map(m => m.value).join(' '),
    path: r.path?.value,
    focus: r.focusNode?.value,
    value: r.value?.value,
    shape: r.sourceShape?.value,
  })),
}))
