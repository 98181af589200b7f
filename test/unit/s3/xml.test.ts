import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseXml, renderS3Xml, XmlSyntaxError } from '../../../src/s3/index.js'

test('parseXml reads elements, text, entities, CDATA, attributes and drops namespace prefixes', () => {
  const doc = parseXml(
    `<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<s3:Delete xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">
  <s3:Object><s3:Key>a&amp;b &#x263A;&#65;</s3:Key></s3:Object>
  <Object><Key><![CDATA[<raw>]]></Key></Object>
  <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type='Group'/>
</s3:Delete>`,
  )
  assert.equal(doc.name, 'Delete')
  assert.deepEqual(
    doc.children.map((c) => c.name),
    ['Object', 'Object', 'Grantee'],
  )
  assert.equal(doc.children[0]?.children[0]?.text, 'a&b \u263AA')
  assert.equal(doc.children[1]?.children[0]?.text, '<raw>')
  assert.equal(doc.children[2]?.attributes.type, 'Group')
})

test('parseXml refuses DTDs, unknown entities, malformed and oversized documents', () => {
  const bad = [
    '<!DOCTYPE d [<!ENTITY e "x">]><d>&e;</d>',
    '<d>&e;</d>',
    '<d><e></d>',
    '<d>',
    '<d/><e/>',
    'text',
    '<d><?pi x?></d>',
    '<d a="<"/>',
    '<d>&#0;</d>',
    `${'<a>'.repeat(20)}${'</a>'.repeat(20)}`,
  ]
  for (const b of bad) assert.throws(() => parseXml(b), XmlSyntaxError, b)
  assert.throws(
    () => parseXml(`<d>${'<e/>'.repeat(11)}</d>`, { maxDepth: 16, maxElements: 10 }),
    XmlSyntaxError,
  )
})

test('renderS3Xml writes the declaration, S3’s namespace, escaped text, flattened lists', () => {
  const xml = renderS3Xml('ListBucketResult', [
    ['Name', 'b'],
    undefined,
    ['Contents', [['Key', 'a<&>"\'']]],
    [
      'Contents',
      [
        ['Key', 'c'],
        ['Size', 3],
        ['IsTruncated', false],
      ],
    ],
    ['Prefix', ''],
  ])
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Contents><Key>a&lt;&amp;&gt;&quot;&apos;</Key></Contents><Contents><Key>c</Key><Size>3</Size><IsTruncated>false</IsTruncated></Contents><Prefix/></ListBucketResult>',
  )
})
