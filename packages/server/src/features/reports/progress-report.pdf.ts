import PDFDocument from 'pdfkit';
import { getInstrument, hasInstrument, instrumentShortName } from '@rapport/instruments';

/** Everything the PDF shows, already filtered for what the reader may see (blind rating). */
export type ProgressReportData = {
  clinic: { name: string; colour: string };
  client: { name: string; dateOfBirth: string | null };
  generatedAt: Date;
  scores: { instrumentId: string; at: Date; total: number; bandLabel: string | null }[];
  alliance: { sessions: number; meanClient: number | null; pairedSessions: number; meanGap: number | null; ruptures: number; hiddenForBlindRating: number };
};

const PAGE = { width: 595.28, height: 841.89, margin: 50 };
const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
const CHART = { height: 150, left: 40 };
/** Band fills from least to most severe. */
const BAND_FILLS = ['#E3F2E1', '#F1F5DA', '#FDF1D6', '#FBE1CF', '#F6D2D2', '#EFC3C3'];

const dateText = (d: Date) => d.toISOString().slice(0, 10);
const numberText = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/** Moves to a new page unless `height` points still fit. */
function ensureSpace(doc: PDFKit.PDFDocument, height: number): void {
  if (doc.y + height > PAGE.height - PAGE.margin) doc.addPage();
}

function header(doc: PDFKit.PDFDocument, data: ProgressReportData): void {
  doc.rect(0, 0, PAGE.width, 64).fill(data.clinic.colour);
  doc.fillColor('#FFFFFF').font('Helvetica-Bold').fontSize(18).text(data.clinic.name, PAGE.margin, 22, { width: CONTENT_WIDTH, lineBreak: false, ellipsis: true });
  doc.fillColor('#000000').font('Helvetica-Bold').fontSize(16).text('Progress report', PAGE.margin, 84);
  doc.font('Helvetica').fontSize(10).fillColor('#333333');
  doc.text(`Client: ${data.client.name}${data.client.dateOfBirth ? `   Date of birth: ${data.client.dateOfBirth}` : ''}`);
  doc.text(`Generated: ${dateText(data.generatedAt)}`);
  doc.moveDown(1);
}

/** One measure's scores over time, on its full range, with its severity bands behind the line. */
function chart(doc: PDFKit.PDFDocument, instrumentId: string, points: ProgressReportData['scores']): void {
  const definition = hasInstrument(instrumentId) ? getInstrument(instrumentId) : null;
  const min = definition?.range.min ?? Math.min(0, ...points.map((p) => p.total));
  const max = definition?.range.max ?? Math.max(1, ...points.map((p) => p.total));
  ensureSpace(doc, CHART.height + 60);
  doc.font('Helvetica-Bold').fontSize(12).fillColor('#000000').text(definition ? `${definition.names.short} – ${definition.names.full}` : instrumentId, PAGE.margin, doc.y);
  const top = doc.y + 6;
  const left = PAGE.margin + CHART.left;
  const width = CONTENT_WIDTH - CHART.left;
  const height = CHART.height;
  const y = (v: number) => top + height - ((v - min) / (max - min || 1)) * height;
  const worseHigh = definition?.direction !== 'higher-is-better';
  const bands = definition?.bands ?? [];
  bands.forEach((band, i) => {
    const severity = worseHigh ? i : bands.length - 1 - i;
    const fill = BAND_FILLS[Math.min(BAND_FILLS.length - 1, Math.round((severity * (BAND_FILLS.length - 1)) / Math.max(1, bands.length - 1)))]!;
    const upper = Math.min(max, band.max + (i < bands.length - 1 ? 0.5 : 0));
    const lower = Math.max(min, band.min - (i > 0 ? 0.5 : 0));
    doc.rect(left, y(upper), width, y(lower) - y(upper)).fill(fill);
    doc.font('Helvetica').fontSize(7).fillColor('#555555').text(band.label, left + width - 110, y(upper) + 2, { width: 106, align: 'right', lineBreak: false });
  });
  // Axes with ticks at the range ends and each band's lower bound.
  doc.lineWidth(0.8).strokeColor('#333333').moveTo(left, top).lineTo(left, top + height).lineTo(left + width, top + height).stroke();
  const ticks = [...new Set([min, max, ...bands.map((b) => b.min)])].filter((t) => t >= min && t <= max);
  doc.font('Helvetica').fontSize(7).fillColor('#333333');
  for (const t of ticks) {
    doc.moveTo(left - 3, y(t)).lineTo(left, y(t)).stroke();
    doc.text(numberText(t), PAGE.margin, y(t) - 3, { width: CHART.left - 6, align: 'right', lineBreak: false });
  }
  const times = points.map((p) => p.at.getTime());
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const x = (t: number) => left + 10 + (t1 === t0 ? (width - 20) / 2 : ((t - t0) / (t1 - t0)) * (width - 20));
  doc.text(dateText(new Date(t0)), left, top + height + 4, { lineBreak: false });
  if (t1 !== t0) doc.text(dateText(new Date(t1)), left + width - 60, top + height + 4, { width: 60, align: 'right', lineBreak: false });
  // The line and its points.
  doc.lineWidth(1.5).strokeColor('#1F3B57');
  points.forEach((p, i) => (i === 0 ? doc.moveTo(x(p.at.getTime()), y(p.total)) : doc.lineTo(x(p.at.getTime()), y(p.total))));
  if (points.length > 1) doc.stroke();
  for (const p of points) doc.circle(x(p.at.getTime()), y(p.total), 2.8).fill('#1F3B57');
  doc.x = PAGE.margin;
  doc.y = top + height + 22;
}

function allianceSummary(doc: PDFKit.PDFDocument, a: ProgressReportData['alliance']): void {
  ensureSpace(doc, 90);
  doc.font('Helvetica-Bold').fontSize(12).fillColor('#000000').text('Alliance', PAGE.margin, doc.y);
  doc.font('Helvetica').fontSize(10).fillColor('#333333');
  if (a.sessions === 0) doc.text('No alliance ratings yet.');
  else {
    doc.text(`Sessions rated by the client: ${a.sessions}; mean client rating ${a.meanClient === null ? '–' : numberText(a.meanClient)}.`);
    doc.text(
      a.pairedSessions === 0
        ? 'No session has both a client and a therapist rating.'
        : `Therapist minus client, mean over ${a.pairedSessions} session(s): ${a.meanGap! > 0 ? '+' : ''}${numberText(a.meanGap!)}.`,
    );
    doc.text(`Ruptures flagged: ${a.ruptures}.`);
  }
  if (a.hiddenForBlindRating > 0) doc.text(`${a.hiddenForBlindRating} client rating(s) not shown until you rate those sessions yourself (blind rating).`);
  doc.moveDown(1);
}

function scoreTable(doc: PDFKit.PDFDocument, scores: ProgressReportData['scores']): void {
  const columns = [
    { title: 'Date', x: PAGE.margin, width: 90 },
    { title: 'Measure', x: PAGE.margin + 95, width: 150 },
    { title: 'Score', x: PAGE.margin + 250, width: 60 },
    { title: 'Band', x: PAGE.margin + 315, width: CONTENT_WIDTH - 315 },
  ];
  const rowHeight = 16;
  const headerRow = () => {
    const top = doc.y;
    doc.rect(PAGE.margin, top, CONTENT_WIDTH, rowHeight).fill('#E8E8E8');
    doc.font('Helvetica-Bold').fontSize(9).fillColor('#000000');
    for (const c of columns) doc.text(c.title, c.x + 3, top + 4, { width: c.width, lineBreak: false });
    doc.y = top + rowHeight;
  };
  ensureSpace(doc, 60);
  doc.font('Helvetica-Bold').fontSize(12).fillColor('#000000').text('Scores', PAGE.margin, doc.y);
  doc.moveDown(0.3);
  headerRow();
  scores.forEach((s, i) => {
    if (doc.y + rowHeight > PAGE.height - PAGE.margin) {
      doc.addPage();
      headerRow();
    }
    const top = doc.y;
    if (i % 2 === 1) doc.rect(PAGE.margin, top, CONTENT_WIDTH, rowHeight).fill('#F6F6F6');
    doc.font('Helvetica').fontSize(9).fillColor('#000000');
    const cells = [dateText(s.at), instrumentShortName(s.instrumentId), numberText(s.total), s.bandLabel ?? ''];
    cells.forEach((text, k) => doc.text(text, columns[k]!.x + 3, top + 4, { width: columns[k]!.width - 6, lineBreak: false, ellipsis: true }));
    doc.y = top + rowHeight;
  });
  if (scores.length === 0) doc.font('Helvetica').fontSize(10).text('No scores yet.', PAGE.margin, doc.y + 4);
}

/**
 * A client's progress report as a PDF (issue 7 items 5 and 6), drawn with pdfkit's vector
 * primitives: the clinic's header in its colour, one chart per measure with its severity bands,
 * the alliance summary, and a table of every score. Pure: the caller passes only what the reader
 * may see.
 */
export function renderProgressReport(data: ProgressReportData): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: PAGE.margin, info: { Title: `Progress report – ${data.client.name}`, Producer: 'Rapport', CreationDate: data.generatedAt } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  header(doc, data);
  const byInstrument = new Map<string, ProgressReportData['scores']>();
  for (const s of data.scores) byInstrument.set(s.instrumentId, [...(byInstrument.get(s.instrumentId) ?? []), s]);
  if (byInstrument.size === 0) doc.font('Helvetica').fontSize(10).text('No questionnaires completed yet.').moveDown(1);
  for (const [instrumentId, points] of byInstrument) chart(doc, instrumentId, points);
  allianceSummary(doc, data.alliance);
  scoreTable(doc, data.scores);
  doc.end();
  return done;
}
