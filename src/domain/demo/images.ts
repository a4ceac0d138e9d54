import type { DemoImage } from './types.js';

/*
 * Hearth's demo pictures: flat, warm illustrations drawn as SVG and rasterised with sharp
 * at install. No text, fonts, external references or heavy filters.
 */

const W = 1600;
const H = 1067;
const A = 400;
const CREDIT = 'Illustration: Hearth demo';

// ---------------------------------------------------------------------------
// Small drawing helpers
// ---------------------------------------------------------------------------

function doc(w: number, h: number, defs: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
    `<defs>${defs}</defs>${body}</svg>`
  );
}

/** A linear gradient, top to bottom by default. */
function lg(id: string, stops: string[], x2 = 0, y2 = 1): string {
  const n = Math.max(stops.length - 1, 1);
  const s = stops.map((c, i) => `<stop offset="${(i / n).toFixed(3)}" stop-color="${c}"/>`).join('');
  return `<linearGradient id="${id}" x1="0" y1="0" x2="${x2}" y2="${y2}">${s}</linearGradient>`;
}

/** A soft radial glow that fades to transparent. */
function glow(id: string, color: string, opacity = 0.9): string {
  return (
    `<radialGradient id="${id}"><stop offset="0" stop-color="${color}" stop-opacity="${opacity}"/>` +
    `<stop offset="1" stop-color="${color}" stop-opacity="0"/></radialGradient>`
  );
}

const rect = (x: number, y: number, w: number, h: number, fill: string, rx = 0, extra = '') =>
  `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${rx}" fill="${fill}" ${extra}/>`;
const circ = (cx: number, cy: number, r: number, fill: string, extra = '') =>
  `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${fill}" ${extra}/>`;
const ell = (cx: number, cy: number, rx: number, ry: number, fill: string, extra = '') =>
  `<ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${ry}" fill="${fill}" ${extra}/>`;
const path = (d: string, fill: string, extra = '') => `<path d="${d}" fill="${fill}" ${extra}/>`;
/** A rounded stroke: arms, legs, stems, lines. */
const line = (d: string, color: string, width: number, extra = '') =>
  `<path d="${d}" fill="none" stroke="${color}" stroke-width="${width}" stroke-linecap="round" stroke-linejoin="round" ${extra}/>`;
const g = (transform: string, body: string, extra = '') => `<g transform="${transform}" ${extra}>${body}</g>`;

function sun(cx: number, cy: number, r: number, glowId: string, color = '#ffd56b'): string {
  return circ(cx, cy, r * 2.6, `url(#${glowId})`) + circ(cx, cy, r, color);
}

function cloud(x: number, y: number, s: number, opacity = 0.9): string {
  return g(
    `translate(${x} ${y}) scale(${s})`,
    ell(0, 0, 110, 38, '#ffffff') +
      circ(-45, -18, 42, '#ffffff') +
      circ(20, -34, 54, '#ffffff') +
      circ(70, -10, 34, '#ffffff'),
    `opacity="${opacity}"`,
  );
}

function leaf(x: number, y: number, rot: number, s: number, fill: string): string {
  return path(
    'M0 0C18-22 52-26 80 0C52 26 18 22 0 0Z',
    fill,
    `transform="translate(${x} ${y}) rotate(${rot}) scale(${s})"`,
  );
}

/** A stem with leaves in pairs, growing from (x, y) at angle rot (0 = straight up). */
function sprig(
  x: number,
  y: number,
  rot: number,
  len: number,
  fill: string,
  leafScale = 0.5,
  stem = '#5d7f4e',
): string {
  let leaves = '';
  const n = Math.max(2, Math.round(len / 45));
  for (let i = 1; i <= n; i++) {
    const t = -(len * i) / (n + 0.4);
    const s = leafScale * (1 - (i / (n + 1)) * 0.45);
    leaves += leaf(0, t, -40, s, fill) + leaf(0, t + 8, -140, s, fill);
  }
  leaves += leaf(0, -len, -90, leafScale * 0.55, fill);
  return g(`translate(${x} ${y}) rotate(${rot})`, line(`M0 0V${-len}`, stem, 5) + leaves);
}

function tree(x: number, y: number, s: number, crown: string, crown2: string): string {
  return g(
    `translate(${x} ${y}) scale(${s})`,
    rect(-12, -120, 24, 120, '#7b553b', 8) +
      circ(0, -170, 80, crown) +
      circ(-48, -130, 52, crown) +
      circ(50, -135, 56, crown2) +
      circ(12, -215, 50, crown2, 'opacity="0.7"'),
  );
}

/** Closed, smiling eyes and mouth for a face of radius r: content, sleepy, happy. */
function calmFace(cx: number, cy: number, r: number, ink = '#5a3a2c'): string {
  const e = r * 0.16;
  return (
    line(`M${cx - r * 0.45} ${cy}q${e} ${e * 0.8} ${e * 2} 0`, ink, r * 0.06) +
    line(`M${cx + r * 0.13} ${cy}q${e} ${e * 0.8} ${e * 2} 0`, ink, r * 0.06) +
    line(`M${cx - r * 0.2} ${cy + r * 0.38}q${r * 0.2} ${r * 0.18} ${r * 0.4} 0`, ink, r * 0.06) +
    circ(cx - r * 0.55, cy + r * 0.28, r * 0.14, '#f08c7a', 'opacity="0.35"') +
    circ(cx + r * 0.55, cy + r * 0.28, r * 0.14, '#f08c7a', 'opacity="0.35"')
  );
}

/** Open eyes and a smile, for the portraits. */
function openFace(cx: number, cy: number, r: number, ink = '#3a2a22'): string {
  return (
    circ(cx - r * 0.36, cy, r * 0.085, ink) +
    circ(cx + r * 0.36, cy, r * 0.085, ink) +
    line(`M${cx - r * 0.28} ${cy + r * 0.42}q${r * 0.28} ${r * 0.24} ${r * 0.56} 0`, '#8a4334', r * 0.06) +
    circ(cx - r * 0.58, cy + r * 0.3, r * 0.15, '#f08c7a', 'opacity="0.35"') +
    circ(cx + r * 0.58, cy + r * 0.3, r * 0.15, '#f08c7a', 'opacity="0.35"')
  );
}

/** A baby's head: round, a small curl of hair, a contented face. */
function babyHead(cx: number, cy: number, r: number, skin: string, hair: string): string {
  return (
    circ(cx, cy, r, skin) +
    line(`M${cx - r * 0.15} ${cy - r * 0.92}q${r * 0.25} ${-r * 0.3} ${r * 0.35} ${r * 0.05}`, hair, r * 0.12) +
    calmFace(cx, cy + r * 0.05, r)
  );
}

function bird(x: number, y: number, s: number): string {
  return line(`M${x} ${y}q${12 * s} ${-10 * s} ${22 * s} 0q${10 * s} ${-10 * s} ${22 * s} 0`, '#6b5a55', 4);
}

// ---------------------------------------------------------------------------
// Feature pictures
// ---------------------------------------------------------------------------

function massageScene(): string {
  const skinA = '#8d5a3b';
  const skinB = '#b47a52';
  const defs =
    lg('wall', ['#fbe6d3', '#f4c9a8']) +
    lg('floor', ['#e2ab83', '#cf946c']) +
    lg('sky', ['#bfe3ef', '#fdf0d0']) +
    glow('sun', '#fff3c4');
  const body =
    rect(0, 0, W, H, 'url(#wall)') +
    // window and its light
    rect(1060, 110, 380, 420, '#fffaf0', 18) +
    rect(1080, 130, 340, 380, 'url(#sky)', 8) +
    sun(1330, 230, 44, 'sun') +
    cloud(1180, 360, 0.55) +
    line('M1250 130V510M1080 320H1420', '#fffaf0', 16) +
    path('M1080 530L1420 530L1300 800L700 800Z', '#fff4d6', 'opacity="0.35"') +
    rect(0, 780, W, H - 780, 'url(#floor)') +
    // rug
    ell(800, 900, 640, 140, '#c8644a') +
    ell(800, 900, 580, 112, 'none', 'stroke="#f2c38f" stroke-width="10" stroke-dasharray="30 18"') +
    // plant
    sprig(230, 660, -18, 260, '#5f9a62', 0.9) +
    sprig(250, 660, 12, 300, '#78b36f', 0.9) +
    sprig(270, 660, 34, 200, '#5f9a62', 0.8) +
    path('M160 650H340L318 800H182Z', '#d07a52') +
    rect(150, 640, 200, 34, '#b8613f', 12) +
    g(
      'translate(760 980) scale(1.2) translate(-760 -980)',
      // towel
      path('M420 820L1080 820L1130 960L380 960Z', '#fffaf0') +
        path('M414 836L1086 836L1092 852L408 852Z', '#9cc7b5') +
        path('M392 928L1118 928L1124 944L386 944Z', '#9cc7b5') +
        // grown-up kneeling behind, leaning in
        rect(826, 500, 50, 80, skinA, 20) +
        path('M860 560C950 545 1020 620 1030 720L1050 830L810 830C790 730 790 600 860 560Z', '#6f9c86') +
        circ(840, 470, 66, skinA) +
        path('M790 430C810 380 890 380 912 440C900 420 860 410 830 425Z', '#2b1d16') +
        path('M900 455C915 420 905 400 880 395C915 395 930 430 912 470Z', '#2b1d16') +
        circ(905, 400, 36, '#2b1d16') +
        calmFace(826, 480, 60, '#2b1d16') +
        line('M870 600Q820 700 760 800', '#6f9c86', 50) +
        line('M800 720Q780 770 752 808', skinA, 36) +
        line('M960 620Q920 740 860 820', '#5f8a75', 50) +
        line('M890 760Q870 800 850 826', skinA, 36) +
        // baby on the towel
        circ(540, 860, 64, skinB) +
        line('M530 800q16 -18 30 0', '#2b1d16', 9) +
        calmFace(538, 866, 60, '#3a2418') +
        ell(680, 880, 110, 62, skinB) +
        ell(770, 884, 52, 56, '#ffffff') +
        line('M630 835Q640 790 680 775', skinB, 28) +
        circ(684, 774, 16, skinB) +
        line('M640 918Q690 945 730 930', skinB, 28) +
        circ(734, 928, 16, skinB) +
        line('M805 860Q850 800 905 815', skinB, 36) +
        line('M810 905Q870 900 920 928', skinB, 36) +
        circ(912, 812, 22, skinB) +
        circ(926, 930, 22, skinB),
    );
  return doc(W, H, defs, body);
}

function nappyLine(): string {
  const colors = ['#f6c4b8', '#fbe3a1', '#b9dcc9', '#c7d3f0', '#f3d1e4', '#fffdf7', '#f2cfa6'];
  let nappies = '';
  colors.forEach((c, i) => {
    const x = 320 + i * 160;
    const t = (x - 182) / 1240;
    const y = 400 + 280 * t * (1 - t);
    const sway = (i % 2 ? 2 : -2) as number;
    nappies += g(
      `translate(${x} ${y}) rotate(${sway})`,
      path('M-62 0H62V38Q62 118 0 132Q-62 118 -62 38Z', c) +
        rect(-62, 0, 124, 18, '#ffffff', 4, 'opacity="0.55"') +
        line('M-36 70Q0 100 36 70', '#ffffff', 5, 'opacity="0.6"') +
        rect(-44, -14, 12, 34, '#c9925c', 4) +
        rect(32, -14, 12, 34, '#c9925c', 4),
    );
  });
  const defs = lg('sky', ['#a9d6ea', '#fdf1dc']) + glow('sun', '#fff1b8');
  const flowers = [
    [140, 960, '#f7f3e8'],
    [260, 1010, '#f6c4b8'],
    [480, 980, '#fbe3a1'],
    [690, 1020, '#f7f3e8'],
    [930, 990, '#f6c4b8'],
    [1460, 1000, '#fbe3a1'],
  ] as const;
  const body =
    rect(0, 0, W, H, 'url(#sky)') +
    sun(1340, 190, 78, 'sun') +
    cloud(330, 170, 1) +
    cloud(880, 120, 0.75) +
    path('M0 820Q400 700 800 780T1600 760V1067H0Z', '#9ccb8f') +
    path('M0 910Q500 830 1000 900T1600 880V1067H0Z', '#74ae6f') +
    rect(170, 370, 24, 560, '#8a5a3b', 8) +
    rect(1410, 370, 24, 560, '#8a5a3b', 8) +
    line('M182 400Q800 540 1422 400', '#5a4636', 4) +
    nappies +
    // laundry basket
    path('M1130 900H1350L1325 1000H1155Z', '#d9a766') +
    line('M1150 930H1330M1158 960H1322', '#b8854a', 6) +
    ell(1240, 900, 112, 22, '#c8944f') +
    ell(1210, 890, 60, 20, '#c7d3f0') +
    ell(1275, 886, 50, 18, '#f6c4b8') +
    flowers.map(([x, y, c]) => circ(x, y, 9, c) + circ(x, y, 4, '#f4b942')).join('');
  return doc(W, H, defs, body);
}

function cleanersScene(): string {
  const defs =
    '<pattern id="tiles" width="90" height="90" patternUnits="userSpaceOnUse">' +
    rect(0, 0, 90, 90, '#f4f7f2') +
    rect(4, 4, 82, 82, '#dcebe2', 8) +
    '</pattern>' +
    lg('glass', ['#e6f4f1', '#bfe0d8']) +
    lg('wood', ['#d7a36d', '#b98350']) +
    glow('light', '#fffbe8', 0.7);
  const lemons =
    ell(670, 660, 48, 40, '#f7d548') +
    ell(760, 672, 48, 40, '#f2c936') +
    ell(715, 610, 48, 40, '#f7d548') +
    ell(700, 600, 14, 8, '#fff6c0');
  const body =
    rect(0, 0, W, 760, 'url(#tiles)') +
    circ(300, 200, 420, 'url(#light)') +
    // shelf with a small plant
    rect(980, 230, 460, 22, '#b98350', 6) +
    path('M1060 160H1160L1148 230H1072Z', '#d07a52') +
    sprig(1090, 165, -20, 110, '#6aa56a', 0.55) +
    sprig(1120, 165, 18, 130, '#87bf76', 0.55) +
    circ(1300, 195, 36, '#f0e3c8') +
    rect(1260, 200, 80, 30, '#9cc7b5', 10) +
    // worktop and cupboards
    rect(0, 740, W, 60, 'url(#wood)') +
    rect(0, 800, W, H - 800, '#8f6a4a') +
    line('M400 830V1067M800 830V1067M1200 830V1067', '#7a5a3e', 6) +
    circ(370, 940, 10, '#e6c48f') +
    circ(430, 940, 10, '#e6c48f') +
    circ(1170, 940, 10, '#e6c48f') +
    circ(1230, 940, 10, '#e6c48f') +
    // spray bottle
    rect(330, 470, 160, 272, 'url(#glass)', 38) +
    rect(330, 600, 160, 142, '#9fd4c2', 38, 'opacity="0.8"') +
    rect(378, 420, 64, 60, '#eef2ee', 10) +
    path('M360 360H470Q490 360 490 384V430H360Z', '#4f8a74') +
    path('M360 372H300Q290 372 292 384L296 396H360Z', '#4f8a74') +
    line('M440 430Q452 480 432 510', '#3e6f5d', 10) +
    ell(370, 530, 14, 40, '#ffffff', 'opacity="0.55"') +
    // jar of lemons
    rect(610, 500, 210, 242, 'url(#glass)', 44, 'opacity="0.85"') +
    lemons +
    rect(630, 470, 170, 42, '#b98a5a', 12) +
    ell(640, 560, 12, 50, '#ffffff', 'opacity="0.6"') +
    // bowl of bicarbonate
    path('M920 660H1140Q1130 740 1030 744Q930 740 920 660Z', '#6f9fc4') +
    ell(1030, 662, 110, 20, '#5a89ad') +
    ell(1030, 652, 86, 34, '#fbfbf8') +
    ell(1012, 640, 30, 12, '#ffffff') +
    // tall vinegar bottle
    path('M1250 740V560Q1250 500 1290 470V390H1340V470Q1380 500 1380 560V740Z', 'url(#glass)') +
    path('M1250 740V600H1380V740Z', '#f0e2b0', 'opacity="0.85"') +
    rect(1286, 360, 58, 44, '#b98a5a', 10) +
    ell(1272, 630, 10, 60, '#ffffff', 'opacity="0.55"') +
    // half lemon and a cloth
    circ(1480, 720, 34, '#f7d548') +
    circ(1480, 720, 26, '#fff3b0') +
    line('M1480 698V742M1458 720H1502M1464 704L1496 736M1496 704L1464 736', '#f7d548', 3) +
    path('M80 742L140 690L310 700L270 742Z', '#f4a6a0') +
    line('M118 712L290 716', '#ffffff', 6, 'opacity="0.7"');
  return doc(W, H, defs, body);
}

function secondhandScene(): string {
  const defs = lg('wall', ['#e6f0e2', '#f8efe0']) + lg('floor', ['#e4cda9', '#d8bb92']);
  const stack = ['#c7d3f0', '#f6c4b8', '#fbe3a1', '#b9dcc9', '#f3d1e4', '#fffdf7']
    .map((c, i) => {
      const y = 850 - (i + 1) * 52;
      const x = 1090 + (i % 2 ? 12 : 0);
      return rect(x, y, 270, 50, c, 16) + line(`M${x + 30} ${y + 36}H${x + 240}`, '#ffffff', 4, 'opacity="0.6"');
    })
    .join('');
  const spokes = (cx: number, cy: number) =>
    [0, 45, 90, 135]
      .map((a) => line(`M${cx - 62} ${cy}H${cx + 62}`, '#8c9a98', 5, `transform="rotate(${a} ${cx} ${cy})"`))
      .join('') +
    circ(cx, cy, 74, 'none', 'stroke="#3f4b4a" stroke-width="16"') +
    circ(cx, cy, 14, '#3f4b4a');
  const body =
    rect(0, 0, W, H, 'url(#wall)') +
    rect(0, 860, W, H - 860, 'url(#floor)') +
    rect(0, 846, W, 18, '#c9ad85') +
    // picture on the wall
    rect(180, 170, 250, 190, '#b98a5a', 10) +
    rect(196, 186, 218, 158, '#fdf3e0', 4) +
    path('M196 344L270 260L320 310L360 270L414 344Z', '#9ccb8f') +
    circ(370, 220, 18, '#f4b942') +
    // pram
    path('M440 560H880Q880 770 660 770Q440 770 440 560Z', '#7aa6a1') +
    path('M450 560A210 210 0 0 1 660 350V560Z', '#5f8c87') +
    line('M470 480Q560 500 660 455M520 400Q580 440 660 400', '#4e7772', 8) +
    rect(432, 548, 460, 26, '#4e7772', 13) +
    ell(690, 600, 120, 14, '#ffffff', 'opacity="0.25"') +
    line('M880 580L990 450', '#4a4a4a', 14) +
    line('M975 440L1010 470', '#8a5a3b', 24) +
    line('M560 760L520 850M760 760L800 850M540 810H780', '#4a4a4a', 10) +
    spokes(520, 870) +
    spokes(800, 870) +
    // folded clothes with a knitted bear
    stack +
    circ(1225, 478, 48, '#c9925c') +
    circ(1185, 440, 20, '#c9925c') +
    circ(1265, 440, 20, '#c9925c') +
    ell(1225, 560, 62, 58, '#c9925c') +
    ell(1225, 570, 34, 32, '#e8c39e') +
    circ(1208, 472, 6, '#3a2a22') +
    circ(1242, 472, 6, '#3a2a22') +
    ell(1225, 492, 14, 10, '#e8c39e') +
    circ(1225, 488, 5, '#3a2a22') +
    // a plant in the corner
    sprig(1480, 760, -12, 280, '#5f9a62', 0.8) +
    sprig(1500, 760, 16, 230, '#78b36f', 0.8) +
    path('M1420 750H1560L1540 860H1440Z', '#e3a27a');
  return doc(W, H, defs, body);
}

function babywearingScene(): string {
  const skin = '#e2b08a';
  const babySkin = '#f0c8a4';
  const defs = lg('sky', ['#cfe8f0', '#fff0d8']) + glow('sun', '#fff3c4');
  const body =
    rect(0, 0, W, H, 'url(#sky)') +
    sun(300, 220, 70, 'sun') +
    cloud(1150, 160, 0.8) +
    bird(1000, 240, 1.2) +
    bird(1060, 270, 0.9) +
    path('M0 640Q300 520 640 610T1600 580V1067H0Z', '#b3d49f') +
    path('M0 740Q420 640 900 720T1600 700V1067H0Z', '#8dbb84') +
    path('M620 1067Q700 860 780 720L830 720Q880 880 1060 1067Z', '#ead6ad') +
    tree(200, 760, 1.1, '#6aa56a', '#7fb979') +
    tree(1380, 740, 1.3, '#5f9a62', '#78b36f') +
    tree(1180, 700, 0.7, '#7fb979', '#94c78a') +
    // walking grown-up with a baby in a sling
    line('M770 760L740 930', '#3f5a73', 52) +
    line('M830 760L880 920', '#35506a', 52) +
    ell(730, 950, 46, 22, '#5a3b2a') +
    ell(896, 940, 46, 22, '#5a3b2a') +
    path('M720 520Q800 480 880 520L900 780H700Z', '#c8553d') +
    line('M870 540Q930 650 900 720', '#b44a34', 44) +
    circ(898, 728, 22, skin) +
    // the sling
    path('M870 512L900 536L740 780L712 752Z', '#e7b75f') +
    ell(790, 640, 90, 98, '#e7b75f') +
    ell(790, 640, 90, 98, 'none', 'stroke="#d49f44" stroke-width="6"') +
    babyHead(790, 552, 48, babySkin, '#6b4a2e') +
    path('M744 540Q790 470 836 540Z', '#f3a6a6') +
    line('M740 620Q722 652 752 700', '#c8553d', 40) +
    circ(758, 700, 20, skin) +
    // grown-up's head
    rect(782, 440, 36, 50, skin, 14) +
    circ(800, 400, 62, skin) +
    path('M740 390Q742 330 800 330Q862 330 862 392Q840 360 800 364Q760 364 740 390Z', '#5b3a24') +
    path('M752 415Q756 470 800 474Q844 470 848 415Q830 440 800 440Q770 440 752 415Z', '#5b3a24') +
    circ(778, 398, 6, '#2b1d16') +
    circ(822, 398, 6, '#2b1d16') +
    line('M786 440Q800 450 814 440', '#e2b08a', 5);
  return doc(W, H, defs, body);
}

function readingScene(): string {
  const skin = '#e8b894';
  const kid = '#f2c9a6';
  const books = ['#e07a5f', '#f2cc8f', '#81b29a', '#3d405b', '#f4a261', '#a8dadc', '#e9c46a', '#b56576'];
  let shelf = '';
  for (let row = 0; row < 3; row++) {
    let x = 150;
    books.forEach((c, i) => {
      const w = 30 + ((i * 7 + row * 5) % 20);
      const h = 110 + ((i * 13 + row * 11) % 40);
      const y = 330 + row * 190 - h;
      if (x + w < 470) shelf += rect(x, y, w, h, c, 4);
      x += w + 6;
    });
  }
  const defs = lg('wall', ['#2f4858', '#3e5e6f']) + glow('lamp', '#ffd98a', 0.75) + lg('floor', ['#7b5643', '#644434']);
  const body =
    rect(0, 0, W, H, 'url(#wall)') +
    circ(1220, 320, 520, 'url(#lamp)') +
    rect(0, 870, W, H - 870, 'url(#floor)') +
    ell(880, 960, 560, 70, '#c27c5a') +
    // window with the moon
    rect(610, 130, 220, 260, '#24394a', 14) +
    circ(760, 200, 34, '#fdf1c8') +
    circ(776, 190, 30, '#24394a') +
    circ(660, 180, 4, '#fdf1c8') +
    circ(700, 300, 3, '#fdf1c8') +
    circ(780, 330, 4, '#fdf1c8') +
    line('M610 260H830M720 130V390', '#3e5e6f', 10) +
    // bookshelf
    rect(130, 120, 360, 760, '#8a5a3b', 10) +
    rect(150, 140, 320, 720, '#6d452d', 4) +
    rect(150, 330, 320, 16, '#8a5a3b') +
    rect(150, 520, 320, 16, '#8a5a3b') +
    rect(150, 710, 320, 16, '#8a5a3b') +
    shelf +
    // lamp
    line('M1330 880V360', '#3a2f2a', 10) +
    ell(1330, 880, 70, 16, '#3a2f2a') +
    path('M1250 360H1410L1370 250H1290Z', '#f6d58e') +
    // armchair
    rect(760, 420, 500, 420, '#d9775b', 90) +
    rect(700, 620, 130, 240, '#c8664b', 60) +
    rect(1190, 620, 130, 240, '#c8664b', 60) +
    rect(780, 700, 460, 160, '#e28a6e', 40) +
    line('M800 860V900M1220 860V900', '#5a3b2a', 16) +
    line('M940 820V925', '#4d6a7a', 58) +
    line('M1050 820V925', '#46616f', 58) +
    ell(926, 945, 46, 20, '#3a2f2a') +
    ell(1064, 945, 46, 20, '#3a2f2a') +
    // grown-up
    path('M900 560Q990 520 1080 560L1110 760H880Z', '#f1e3c8') +
    rect(972, 470, 46, 60, skin, 16) +
    circ(995, 430, 62, skin) +
    path(
      'M932 430Q930 352 1000 350Q1066 354 1062 440Q1080 520 1040 560Q1060 470 1040 420Q1000 396 950 430Q940 500 950 560Q916 520 932 430Z',
      '#6b3f2a',
    ) +
    calmFace(995, 438, 56, '#3a2418') +
    // toddler on the lap
    path('M920 650Q985 610 1050 650L1060 770H910Z', '#f4c542') +
    circ(985, 595, 56, kid) +
    circ(950, 548, 22, '#c98b4f') +
    circ(985, 535, 24, '#c98b4f') +
    circ(1022, 548, 22, '#c98b4f') +
    calmFace(985, 602, 52) +
    // the open book
    path('M880 700L985 680L985 790L880 810Z', '#fffaf0') +
    path('M985 680L1090 700L1090 810L985 790Z', '#f6eedc') +
    circ(935, 735, 20, '#f4a261') +
    path('M1010 770L1040 730L1070 770Z', '#81b29a') +
    line('M900 660L900 730', '#f1e3c8', 36) +
    line('M1080 660L1080 730', '#e6d4b5', 36) +
    circ(900, 742, 18, skin) +
    circ(1080, 742, 18, skin);
  return doc(W, H, defs, body);
}

function walkScene(): string {
  const leaves = [
    [220, 300, 20, '#e07a3f'],
    [460, 420, 140, '#f2a541'],
    [1080, 260, 60, '#d1603d'],
    [1330, 460, 200, '#f2a541'],
    [640, 220, 100, '#e07a3f'],
    [1500, 300, 30, '#d1603d'],
  ] as const;
  const defs = lg('sky', ['#f9d9b0', '#fdf3e3']) + glow('sun', '#fff1c4') + lg('water', ['#9fcfe3', '#7cb5cf']);
  const body =
    rect(0, 0, W, H, 'url(#sky)') +
    sun(1250, 250, 64, 'sun', '#ffcf70') +
    bird(300, 180, 1.1) +
    path('M0 600Q360 480 760 580T1600 540V1067H0Z', '#e3b26b') +
    path('M0 700Q480 600 980 690T1600 660V1067H0Z', '#c98a4b') +
    path('M0 800Q600 740 1600 810V1067H0Z', '#a9773f') +
    path('M500 1067Q640 880 760 720H840Q900 900 1160 1067Z', '#e8d2a9') +
    tree(160, 760, 1.2, '#e07a3f', '#f2a541') +
    tree(1420, 780, 1.3, '#d1603d', '#e9904a') +
    tree(1240, 700, 0.7, '#f2a541', '#f7c46c') +
    tree(360, 690, 0.6, '#d1603d', '#e9904a') +
    // puddle and splash
    ell(760, 930, 170, 42, 'url(#water)') +
    ell(760, 930, 120, 28, 'none', 'stroke="#ffffff" stroke-width="4" opacity="0.6"') +
    circ(640, 860, 10, '#9fcfe3') +
    circ(610, 890, 7, '#9fcfe3') +
    circ(880, 860, 10, '#9fcfe3') +
    circ(910, 895, 7, '#9fcfe3') +
    // child in a yellow raincoat, mid-jump
    line('M745 770L735 850M785 770L800 845', '#2f5d8a', 28) +
    path('M712 850H760V880H706Z', '#d64545') +
    path('M776 845H824V875H782Z', '#d64545') +
    path('M705 640Q765 600 825 640L850 790H680Z', '#f4c430') +
    circ(765, 600, 50, '#e8b894') +
    path('M705 600Q705 530 765 528Q825 530 825 600Q812 562 765 560Q718 562 705 600Z', '#f4c430') +
    calmFace(765, 604, 46) +
    line('M708 680Q670 640 660 600', '#f4c430', 30) +
    line('M822 680Q870 700 900 680', '#f4c430', 30) +
    circ(906, 676, 16, '#e8b894') +
    // grown-up holding the child's hand
    line('M1010 760L990 900M1050 760L1075 895', '#3a4a57', 44) +
    ell(980, 915, 40, 18, '#5a3b2a') +
    ell(1086, 910, 40, 18, '#5a3b2a') +
    path('M960 520Q1030 480 1100 520L1120 800H945Z', '#4c7a6b') +
    line('M970 560Q930 640 915 676', '#4c7a6b', 40) +
    circ(1030, 420, 58, '#c98e66') +
    path('M972 400Q974 352 1030 350Q1088 352 1088 404Q1066 380 1030 382Q992 384 972 400Z', '#3a2418') +
    path('M968 390Q1030 320 1092 390Q1092 360 1030 345Q968 360 968 390Z', '#7a9e7e') +
    calmFace(1030, 428, 54, '#3a2418') +
    path('M985 485Q1030 505 1075 485L1070 515Q1030 530 990 515Z', '#c8553d') +
    rect(1060, 500, 26, 80, '#c8553d', 10) +
    leaves.map(([x, y, r, c]) => leaf(x, y, r, 0.45, c)).join('');
  return doc(W, H, defs, body);
}

function batchCookingScene(): string {
  const puree = [
    '#f29e4c',
    '#a7c957',
    '#f6d55c',
    '#b56576',
    '#a7c957',
    '#f6d55c',
    '#f29e4c',
    '#b56576',
    '#e9a95b',
    '#86b36b',
    '#f29e4c',
    '#f6d55c',
  ];
  let cells = '';
  puree.forEach((c, i) => {
    const x = 340 + (i % 4) * 170;
    const y = 320 + Math.floor(i / 4) * 150;
    cells +=
      rect(x, y, 150, 130, '#c9dde5', 26) +
      rect(x + 12, y + 12, 126, 106, c, 22) +
      ell(x + 50, y + 40, 24, 10, '#ffffff', 'opacity="0.45"');
  });
  const carrot = (x: number, y: number, rot: number) =>
    g(
      `translate(${x} ${y}) rotate(${rot})`,
      path('M-30 0Q0 -14 30 0L6 220Q0 232 -6 220Z', '#f08a34') +
        line('M-14 50H6M-8 110H10M-4 160H4', '#d9732a', 4) +
        leaf(0, -4, -110, 0.7, '#5f9a62') +
        leaf(0, -4, -70, 0.7, '#78b36f') +
        leaf(0, -4, -90, 0.8, '#6aa56a'),
    );
  const defs =
    lg('wood', ['#e8c99f', '#d9b085']) +
    '<pattern id="check" width="60" height="60" patternUnits="userSpaceOnUse">' +
    rect(0, 0, 60, 60, '#f7f1e4') +
    rect(0, 0, 30, 60, '#9cc7b5', 0, 'opacity="0.35"') +
    rect(0, 0, 60, 30, '#9cc7b5', 0, 'opacity="0.35"') +
    '</pattern>';
  const body =
    rect(0, 0, W, H, 'url(#wood)') +
    line('M0 260H1600M0 540H1600M0 820H1600', '#caa176', 4) +
    path('M230 200L1090 170L1120 900L260 930Z', 'url(#check)') +
    rect(310, 290, 740, 500, '#e3eef2', 44) +
    rect(310, 290, 740, 500, 'none', 44, 'stroke="#b8cdd6" stroke-width="6"') +
    cells +
    // carrots, peas and a sweet potato
    carrot(1250, 220, 20) +
    carrot(1340, 250, 34) +
    g(
      'translate(1250 700) rotate(-20)',
      path('M-150 0Q0 -70 150 0Q0 70 -150 0Z', '#7fb35c') +
        circ(-80, 0, 24, '#a7d36b') +
        circ(-27, -2, 26, '#a7d36b') +
        circ(28, -2, 26, '#a7d36b') +
        circ(82, 0, 24, '#a7d36b'),
    ) +
    ell(1330, 900, 120, 60, '#b8653c', 'transform="rotate(15 1330 900)"') +
    ell(1300, 885, 40, 12, '#d98a5e', 'transform="rotate(15 1330 900)"') +
    // a wooden spoon
    g(
      'translate(150 800) rotate(-30)',
      ell(0, 0, 50, 70, '#c9925c') + rect(-12, 60, 24, 260, '#c9925c', 12) + ell(0, -4, 32, 48, '#b57e4a'),
    );
  return doc(W, H, defs, body);
}

function soupScene(): string {
  const defs =
    '<pattern id="cloth" width="120" height="120" patternUnits="userSpaceOnUse">' +
    rect(0, 0, 120, 120, '#f3e8d6') +
    rect(0, 0, 40, 120, '#d9826b', 0, 'opacity="0.22"') +
    rect(0, 0, 120, 40, '#d9826b', 0, 'opacity="0.22"') +
    '</pattern>' +
    '<radialGradient id="soup"><stop offset="0" stop-color="#e9a24b"/><stop offset="1" stop-color="#c9702f"/></radialGradient>' +
    lg('table', ['#a8744a', '#8f6240']);
  const herbs = [
    [680, 470, 30],
    [760, 560, 150],
    [640, 600, 80],
    [800, 450, 200],
    [720, 640, 10],
  ] as const;
  const body =
    rect(0, 0, W, H, 'url(#table)') +
    line('M0 300H1600M0 700H1600', '#7d5536', 5) +
    path('M120 80L1240 40L1290 1030L160 1067Z', 'url(#cloth)') +
    // bowl, seen from above
    circ(730, 540, 340, '#000000', 'opacity="0.12"') +
    circ(720, 530, 340, '#f7f1e6') +
    circ(720, 530, 340, 'none', 'stroke="#5f8c87" stroke-width="14"') +
    circ(720, 530, 270, 'url(#soup)') +
    line(
      'M720 530m-20 0a20 20 0 1 1 40 0a50 50 0 1 1 -100 0a80 80 0 1 1 160 0a110 110 0 1 1 -220 0',
      '#fff4e0',
      14,
      'opacity="0.9"',
    ) +
    herbs.map(([x, y, r]) => leaf(x, y, r, 0.35, '#5f9a62')).join('') +
    circ(620, 450, 5, '#5a3a2c') +
    circ(820, 620, 5, '#5a3a2c') +
    circ(700, 700, 5, '#5a3a2c') +
    circ(600, 680, 5, '#5a3a2c') +
    // spoon
    g(
      'translate(300 880) rotate(35)',
      ell(0, 0, 56, 80, '#c9d1d6') + ell(0, 0, 40, 62, '#b3bcc2') + rect(-12, 70, 24, 300, '#c9d1d6', 12),
    ) +
    // bread
    g(
      'translate(1300 360) rotate(12)',
      path(
        'M-150 -90Q-150 -170 -70 -170Q0 -200 70 -170Q150 -170 150 -90V110Q150 130 130 130H-130Q-150 130 -150 110Z',
        '#c8873f',
      ) +
        path('M-126 -80Q-126 -146 -62 -146Q0 -172 62 -146Q126 -146 126 -80V104H-126Z', '#f4deb0') +
        circ(-40, -40, 8, '#e3c48e') +
        circ(30, 20, 7, '#e3c48e') +
        circ(-60, 50, 6, '#e3c48e'),
    ) +
    g(
      'translate(1360 720) rotate(-8)',
      path(
        'M-130 -80Q-130 -150 -60 -150Q0 -176 60 -150Q130 -150 130 -80V100Q130 118 112 118H-112Q-130 118 -130 100Z',
        '#c8873f',
      ) +
        path('M-108 -72Q-108 -128 -54 -128Q0 -150 54 -128Q108 -128 108 -72V96H-108Z', '#f4deb0') +
        ell(0, 0, 70, 14, '#fff6d8', 'opacity="0.8"'),
    ) +
    sprig(1450, 1000, -60, 200, '#6aa56a', 0.45);
  return doc(W, H, defs, body);
}

function balconyScene(): string {
  let city = '';
  const far = [
    [0, 520, 160],
    [150, 470, 120],
    [260, 540, 180],
    [430, 440, 110],
    [530, 500, 200],
    [720, 460, 140],
    [850, 530, 170],
    [1010, 420, 120],
    [1120, 500, 180],
    [1290, 450, 150],
    [1430, 520, 170],
  ] as const;
  for (const [x, y, w] of far) {
    city += rect(x, y, w, 700 - y, '#c493a0');
    for (let wy = y + 30; wy < 640; wy += 60)
      for (let wx = x + 24; wx < x + w - 30; wx += 50)
        if ((wx + wy) % 3 !== 0) city += rect(wx, wy, 18, 26, '#ffd98a', 3, 'opacity="0.85"');
  }
  const pot = (x: number, y: number, s: number) =>
    g(
      `translate(${x} ${y}) scale(${s})`,
      path('M-70 0H70L52 140H-52Z', '#c8693f') + rect(-80, -10, 160, 34, '#b35a34', 8),
    );
  let bars = '';
  for (let x = 40; x < W; x += 80) bars += rect(x, 820, 14, H - 820, '#3d3d4a');
  const bulbs = [160, 340, 520, 700, 880, 1060, 1240, 1420]
    .map((x) => {
      const t = (x - 60) / 1480;
      return (
        circ(x, 70 + 120 * 4 * t * (1 - t) * 0.5 + 12, 13, '#ffe6a0') +
        circ(x, 82 + 120 * 2 * t * (1 - t), 26, '#ffe6a0', 'opacity="0.25"')
      );
    })
    .join('');
  const defs = lg('sky', ['#f3a683', '#f8cfa3', '#fff1dc']) + glow('sun', '#ffe3a8');
  const body =
    rect(0, 0, W, H, 'url(#sky)') +
    sun(800, 560, 110, 'sun', '#ffc36b') +
    city +
    rect(0, 700, W, H - 700, '#e6cfae') +
    line('M60 70Q800 190 1540 70', '#5a4a4a', 4) +
    bulbs +
    // planter box on the rail, full of herbs
    sprig(360, 660, -15, 170, '#5f9a62', 0.55) +
    sprig(420, 660, 10, 200, '#78b36f', 0.55) +
    sprig(500, 660, -5, 150, '#4f8a52', 0.7) +
    sprig(580, 660, 20, 190, '#6aa56a', 0.5) +
    sprig(660, 660, -25, 160, '#87bf76', 0.6) +
    sprig(740, 660, 5, 210, '#5f9a62', 0.45) +
    sprig(820, 660, -10, 170, '#78b36f', 0.65) +
    sprig(900, 660, 18, 150, '#4f8a52', 0.55) +
    rect(300, 650, 680, 170, '#b5673f', 16) +
    rect(300, 650, 680, 30, '#9d5734', 12) +
    // pots
    sprig(1180, 700, -12, 180, '#6aa56a', 0.6) +
    sprig(1210, 700, 14, 150, '#87bf76', 0.6) +
    pot(1195, 700, 1) +
    sprig(1400, 760, 0, 120, '#4f8a52', 0.7) +
    pot(1400, 760, 0.8) +
    // watering can
    g(
      'translate(140 880)',
      rect(-80, -120, 160, 140, '#6fa0b5', 24) +
        line('M70 -60L170 -150', '#6fa0b5', 22) +
        ell(176, -156, 26, 14, '#5b8ba0') +
        line('M-60 -120Q0 -200 60 -120', '#5b8ba0', 14),
    ) +
    rect(0, 808, W, 24, '#3d3d4a', 6) +
    bars;
  return doc(W, H, defs, body);
}

function mendingScene(): string {
  const defs =
    '<pattern id="denim" width="14" height="14" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
    rect(0, 0, 14, 14, '#3f6190') +
    rect(0, 0, 5, 14, '#37577f') +
    '</pattern>' +
    lg('patch', ['#efe0c2', '#e3cda6']);
  let stitches = '';
  for (let i = 0; i < 6; i++) {
    stitches += line(`M560 ${350 + i * 56}H900`, '#c8553d', 6, 'stroke-dasharray="22 16"');
    stitches += line(`M${580 + i * 60} 330V650`, '#e9a23b', 6, 'stroke-dasharray="22 16"');
  }
  const button = (x: number, y: number, r: number, c: string) =>
    circ(x, y, r, c) +
    circ(x, y, r * 0.75, 'none', `stroke="#000000" stroke-opacity="0.12" stroke-width="${r * 0.1}"`) +
    circ(x - r * 0.25, y - r * 0.25, r * 0.12, '#000000', 'opacity="0.25"') +
    circ(x + r * 0.25, y - r * 0.25, r * 0.12, '#000000', 'opacity="0.25"') +
    circ(x - r * 0.25, y + r * 0.25, r * 0.12, '#000000', 'opacity="0.25"') +
    circ(x + r * 0.25, y + r * 0.25, r * 0.12, '#000000', 'opacity="0.25"');
  const body =
    rect(0, 0, W, H, 'url(#denim)') +
    line('M120 0Q160 540 100 1067', '#2f4d75', 40) +
    line('M140 0Q180 540 120 1067', '#e0a040', 5, 'stroke-dasharray="18 14"') +
    // the patch, with visible stitching over it
    g(
      'rotate(-4 730 490)',
      rect(520, 300, 420, 380, 'url(#patch)', 14) +
        rect(520, 300, 420, 380, 'none', 14, 'stroke="#c8553d" stroke-width="6" stroke-dasharray="16 14"') +
        stitches,
    ) +
    // spool of thread
    g(
      'translate(1230 360)',
      rect(-90, -150, 180, 30, '#c79a6b', 10) +
        rect(-70, -122, 140, 244, '#c8553d', 6) +
        line('M-70 -90H70M-70 -50H70M-70 -10H70M-70 30H70M-70 70H70', '#a8432f', 4) +
        rect(-90, 120, 180, 30, '#c79a6b', 10),
    ) +
    // needle and a loose thread
    line('M980 780L1390 600', '#dfe6ea', 9) +
    ell(1368, 610, 12, 4, '#3f6190', 'transform="rotate(-24 1368 610)"') +
    line('M1370 610Q1460 640 1430 720T1300 620Q1240 560 1230 490', '#c8553d', 5) +
    // scissors
    g(
      'translate(320 800) rotate(-30)',
      circ(-50, 90, 46, 'none', 'stroke="#e0a040" stroke-width="20"') +
        circ(50, 90, 46, 'none', 'stroke="#e0a040" stroke-width="20"') +
        path('M-26 50L8 -220L20 -210L10 46Z', '#d5dde2') +
        path('M26 50L-8 -220L-20 -210L-10 46Z', '#c3ccd2') +
        circ(0, 20, 10, '#8c979e'),
    ) +
    button(1120, 880, 44, '#f2cc8f') +
    button(1250, 930, 34, '#81b29a') +
    button(1360, 860, 28, '#f4f1ea');
  return doc(W, H, defs, body);
}

// ---------------------------------------------------------------------------
// Inline pictures for the infant massage post
// ---------------------------------------------------------------------------

function feetAndHands(): string {
  const baby = '#b47a52';
  const adult = '#8d5a3b';
  const sleeve = '#6f9c86';
  /** A baby's foot seen from the sole, toes up, held by a grown-up's hand whose thumb rests on the sole. */
  const footInHand = (x: number, y: number, mirror: boolean) =>
    g(
      `translate(${x} ${y}) scale(${mirror ? -1.25 : 1.25} 1.25)`,
      // sleeve and palm behind the foot
      line('M-440 760L-130 170', sleeve, 120) +
        ell(-90, 90, 95, 120, adult, 'transform="rotate(-20 -90 90)"') +
        line('M-150 -10L-125 -80', adult, 38) +
        line('M-170 40L-150 -40', adult, 36) +
        // the foot
        path(
          'M0 -150C75 -150 105 -90 100 -20C95 60 72 165 0 170C-62 165 -84 60 -88 -20C-92 -100 -62 -150 0 -150Z',
          baby,
        ) +
        ell(-2, -138, 66, 20, baby) +
        circ(52, -142, 27, baby) +
        circ(16, -160, 17, baby) +
        circ(-12, -160, 15, baby) +
        circ(-38, -151, 14, baby) +
        circ(-60, -134, 12, baby) +
        ell(8, 40, 50, 80, '#ffffff', 'opacity="0.12"') +
        // the thumb across the sole
        line('M-110 150L-10 70', adult, 46),
    );
  const defs = glow('warm', '#fff0dc', 1) + lg('bg', ['#f8d8bd', '#efbf9c']);
  const body =
    rect(0, 0, W, H, 'url(#bg)') +
    circ(800, 420, 700, 'url(#warm)') +
    // the towel and the baby beyond the feet
    rect(-20, 760, W + 40, 360, '#fffaf0', 30) +
    rect(-20, 800, W + 40, 24, '#9cc7b5') +
    rect(-20, 860, W + 40, 24, '#9cc7b5') +
    footInHand(610, 500, false) +
    footInHand(990, 500, true) +
    circ(300, 220, 10, '#ffffff', 'opacity="0.6"') +
    circ(1300, 180, 14, '#ffffff', 'opacity="0.5"') +
    circ(1380, 300, 8, '#ffffff', 'opacity="0.6"');
  return doc(W, H, defs, body);
}

function babyOnTowel(): string {
  const skin = '#f1c9a5';
  const defs = lg('mat', ['#d7eeec', '#bfe0dd']);
  const bubbles = [
    [120, 160, 30],
    [200, 90, 16],
    [1440, 140, 26],
    [1500, 240, 14],
    [140, 900, 22],
    [1480, 560, 18],
    [1380, 80, 12],
  ] as const;
  const body =
    rect(0, 0, W, H, 'url(#mat)') +
    bubbles
      .map(
        ([x, y, r]) =>
          circ(x, y, r, 'none', 'stroke="#ffffff" stroke-width="5" opacity="0.8"') +
          circ(x - r * 0.3, y - r * 0.3, r * 0.2, '#ffffff'),
      )
      .join('') +
    g(
      'rotate(-5 800 530)',
      rect(280, 170, 1040, 740, '#fff8ee', 50) +
        rect(280, 220, 1040, 34, '#f2b8a2') +
        rect(280, 826, 1040, 34, '#f2b8a2') +
        rect(280, 270, 1040, 10, '#f2b8a2', 0, 'opacity="0.5"'),
    ) +
    // baby lying on the towel, arms up, knees bent
    line('M640 470Q600 380 540 360', skin, 46) +
    line('M650 610Q600 700 540 720', skin, 46) +
    circ(532, 356, 28, skin) +
    circ(532, 724, 28, skin) +
    ell(800, 540, 210, 140, skin) +
    ell(920, 540, 110, 126, '#ffffff') +
    ell(920, 540, 110, 126, 'none', 'stroke="#e8dccc" stroke-width="6"') +
    line('M990 470L1110 380L1200 440', skin, 64) +
    line('M990 610L1110 700L1200 640', skin, 64) +
    ell(1222, 446, 40, 28, skin, 'transform="rotate(30 1222 446)"') +
    ell(1222, 634, 40, 28, skin, 'transform="rotate(-30 1222 634)"') +
    g('rotate(-90 520 540)', babyHead(520, 540, 130, skin, '#8a5a34')) +
    // rubber duck
    g(
      'translate(1330 900)',
      ell(0, 0, 90, 58, '#f7d23e') +
        circ(-50, -60, 46, '#f7d23e') +
        path('M-94 -58L-130 -50L-94 -40Z', '#f08a34') +
        circ(-60, -70, 7, '#3a2a22') +
        path('M10 -20Q60 -50 80 -10Q50 0 10 -20Z', '#eec02c'),
    );
  return doc(W, H, defs, body);
}

function oilAndTowels(): string {
  const defs =
    lg('wall', ['#f7ecdc', '#efd8bd']) +
    lg('amber', ['#f5c36a', '#c97b2a']) +
    lg('table', ['#c7956a', '#b07f55']) +
    glow('light', '#fffaf0', 0.8);
  const towel = (y: number, w: number, c: string, stripe: string) =>
    rect(800 - w / 2, y, w, 96, c, 30) +
    rect(800 - w / 2 + 40, y + 62, w - 80, 14, stripe, 6) +
    path(
      `M${800 + w / 2 - 40} ${y}Q${800 + w / 2 + 20} ${y + 48} ${800 + w / 2 - 40} ${y + 96}`,
      'none',
      'stroke="#000000" stroke-opacity="0.09" stroke-width="8"',
    );
  const body =
    rect(0, 0, W, H, 'url(#wall)') +
    path('M980 0H1400L1160 700H740Z', '#ffffff', 'opacity="0.25"') +
    circ(1200, 250, 380, 'url(#light)') +
    rect(0, 760, W, H - 760, 'url(#table)') +
    rect(0, 750, W, 24, '#d7a77a') +
    // folded towels
    towel(650, 560, '#f3efe6', '#8fb9a8') +
    towel(550, 520, '#ebc7b0', '#ffffff') +
    towel(450, 480, '#fdfbf6', '#f2b8a2') +
    // bottle of oil
    ell(1210, 762, 110, 16, '#000000', 'opacity="0.12"') +
    path(
      'M1130 500Q1130 450 1175 440V380H1245V440Q1290 450 1290 500V740Q1290 760 1270 760H1150Q1130 760 1130 740Z',
      'url(#amber)',
      'opacity="0.92"',
    ) +
    rect(1160, 330, 100, 60, '#8a5a3b', 14) +
    rect(1150, 560, 120, 110, '#f6ead7', 14) +
    circ(1210, 615, 26, '#8fb9a8') +
    ell(1152, 520, 10, 50, '#ffffff', 'opacity="0.5"') +
    // a sprig and a small dish
    sprig(360, 790, -75, 280, '#6f9c6a', 0.5, '#6f8f5a') +
    ell(1440, 790, 90, 24, '#dfe9e4') +
    ell(1440, 784, 70, 14, '#f5c36a', 'opacity="0.7"');
  return doc(W, H, defs, body);
}

// ---------------------------------------------------------------------------
// Portraits
// ---------------------------------------------------------------------------

function portrait(bg: [string, string], skin: string, top: string, back: string, front: string): string {
  const defs = lg('bg', bg);
  const body =
    rect(0, 0, A, A, 'url(#bg)') +
    circ(320, 80, 70, '#ffffff', 'opacity="0.18"') +
    back +
    path('M40 400Q50 300 200 288Q350 300 360 400Z', top) +
    rect(174, 236, 52, 64, skin, 18) +
    path('M174 282Q200 300 226 282V300H174Z', '#000000', 'opacity="0.09"') +
    ell(200, 180, 78, 88, skin) +
    ell(122, 190, 14, 22, skin) +
    ell(278, 190, 14, 22, skin) +
    openFace(200, 190, 70) +
    front;
  return doc(A, A, defs, body);
}

function marenPortrait(): string {
  const hair = '#a0522d';
  return portrait(
    ['#f9e0c9', '#f1bf9b'],
    '#f0c7a4',
    '#7fa88f',
    circ(200, 78, 40, hair) + ell(200, 150, 92, 80, hair),
    path('M118 170Q110 90 200 88Q292 90 282 170Q270 120 200 118Q150 118 118 170Z', hair) +
      circ(171, 190, 22, 'none', 'stroke="#5a3a2a" stroke-width="4"') +
      circ(229, 190, 22, 'none', 'stroke="#5a3a2a" stroke-width="4"') +
      line('M193 188Q200 182 207 188', '#5a3a2a', 4) +
      line('M150 400L170 320M250 400L230 320', '#6a9479', 6),
  );
}

function tessPortrait(): string {
  const hair = '#2b1d16';
  const curls = [
    [130, 130, 34],
    [160, 95, 36],
    [200, 82, 38],
    [242, 95, 36],
    [272, 130, 34],
    [118, 172, 26],
    [284, 172, 26],
    [120, 215, 22],
    [282, 215, 22],
  ] as const;
  return portrait(
    ['#d6ece7', '#9fd0c6'],
    '#8d5a3b',
    '#e0a92e',
    curls.map(([x, y, r]) => circ(x, y, r, hair)).join(''),
    path('M124 160Q140 112 200 110Q262 112 276 160Q240 130 200 134Q160 130 124 160Z', hair) +
      circ(122, 222, 8, '#f4c542') +
      circ(278, 222, 8, '#f4c542'),
  );
}

function jonahPortrait(): string {
  const hair = '#4a2f1e';
  return portrait(
    ['#e6eed4', '#c3d8a3'],
    '#e2b08a',
    '#b5533c',
    '',
    path('M120 160Q116 90 200 86Q284 90 280 160Q262 120 200 122Q146 120 120 160Z', hair) +
      path(
        'M124 196Q126 276 200 280Q274 276 276 196Q262 230 240 232Q220 218 200 222Q180 218 160 232Q138 230 124 196Z',
        hair,
      ) +
      line('M180 246Q200 256 220 246', '#e2b08a', 5) +
      line('M80 400L96 320M120 400L124 300M280 400L276 300M320 400L304 320', '#9c4531', 6),
  );
}

// ---------------------------------------------------------------------------
// The catalogue
// ---------------------------------------------------------------------------

const photo = (key: string, name: string, alt: string, caption: string, svg: () => string): DemoImage => ({
  key,
  name,
  width: W,
  height: H,
  alt,
  caption,
  credit: CREDIT,
  svg,
});

const avatar = (key: string, name: string, alt: string, svg: () => string): DemoImage => ({
  key,
  name,
  width: A,
  height: A,
  alt,
  credit: CREDIT,
  svg,
});

export const demoImages: DemoImage[] = [
  photo(
    'massage-feature',
    'infant-massage-on-the-rug',
    'A mother kneels on a rust-coloured rug and rests her hands on her baby, who lies on a striped towel in the afternoon light from a window.',
    'Our favourite spot: the living-room rug, a warm towel and the last of the afternoon sun.',
    massageScene,
  ),
  photo(
    'massage-feet',
    'small-feet-in-gentle-hands',
    "Close-up of a parent's two hands cradling a baby's bare feet above a striped towel.",
    'Feet are often the easiest place to begin: most babies love having their soles stroked.',
    feetAndHands,
  ),
  photo(
    'after-bath',
    'baby-on-a-towel-after-bath',
    'A contented baby lies on a hooded towel with arms stretched up and knees bent, next to a yellow rubber duck.',
    'Straight out of the bath, warm and wriggly, and ready for a rub.',
    babyOnTowel,
  ),
  photo(
    'oil-and-towels',
    'oil-bottle-and-folded-towels',
    'A small amber bottle of oil stands on a wooden table beside a neat stack of three folded towels and a green sprig.',
    'All you really need: a little plain oil, a soft towel and ten quiet minutes.',
    oilAndTowels,
  ),
  photo(
    'nappies-line',
    'cloth-nappies-on-the-line',
    'Pastel cloth nappies pegged along a washing line in a sunny garden, with a laundry basket on the grass.',
    'A breezy morning does half the work of drying for you.',
    nappyLine,
  ),
  photo(
    'cleaners-counter',
    'homemade-cleaners-on-the-worktop',
    'A spray bottle, a jar of lemons, a bowl of white powder and a tall bottle of vinegar on a kitchen worktop in front of pale tiles.',
    'Most of our cleaning cupboard now fits on one end of the worktop.',
    cleanersScene,
  ),
  photo(
    'secondhand-pram',
    'secondhand-pram-and-baby-clothes',
    'An old-fashioned teal pram beside a stack of folded baby clothes with a knitted teddy bear on top.',
    'A pram that has already carried three babies, and a pile of hand-me-downs that smell of someone else’s washing powder.',
    secondhandScene,
  ),
  photo(
    'sling-walk',
    'walking-with-a-baby-in-a-sling',
    'A bearded man in a red jumper walks along a country path carrying a baby in a yellow sling on his chest.',
    'Out on the lane with Nell tucked in, which is where most of her naps happened that spring.',
    babywearingScene,
  ),
  photo(
    'reading-chair',
    'reading-in-the-armchair',
    'In a lamplit room, a grown-up sits in a big orange armchair with a toddler on her lap, both looking at an open picture book.',
    'The armchair by the lamp, where the same five books get read every evening.',
    readingScene,
  ),
  photo(
    'puddle-walk',
    'autumn-walk-and-puddle-jumping',
    'On an autumn path between orange trees, a small child in a yellow raincoat jumps into a puddle while holding a grown-up’s hand.',
    'Fifty metres in forty minutes, and every one of them worth it.',
    walkScene,
  ),
  photo(
    'puree-tray',
    'baby-food-portions-in-a-tray',
    'A tray of frozen-food cubes filled with orange, green, yellow and purple purées on a checked cloth, with carrots and a pea pod beside it.',
    'One Sunday afternoon, twelve little portions, and a week of easy suppers.',
    batchCookingScene,
  ),
  photo(
    'soup-bowl',
    'lentil-soup-and-bread',
    'A large bowl of orange lentil soup with a swirl of cream and green herbs, seen from above, beside two slices of bread and a spoon.',
    'The soup that has fed us through every autumn since our first baby.',
    soupScene,
  ),
  photo(
    'balcony-herbs',
    'balcony-herb-garden-at-dusk',
    'A balcony railing with a long planter of herbs and two terracotta pots, a watering can and string lights, against a rosy city sunset.',
    'Our third-floor herb garden, just after watering time.',
    balconyScene,
  ),
  photo(
    'mending-patch',
    'visible-mending-on-denim',
    'A square linen patch sewn onto blue denim with rows of red and orange running stitches, next to a spool of thread, a needle and scissors.',
    'A knee patch that is now the best bit of the trousers.',
    mendingScene,
  ),
  avatar(
    'avatar-maren',
    'avatar-maren-ashby',
    'Illustrated portrait of a smiling woman with auburn hair in a bun, round glasses and a sage-green cardigan.',
    marenPortrait,
  ),
  avatar(
    'avatar-tess',
    'avatar-tess-okafor',
    'Illustrated portrait of a smiling young woman with dark curly hair, small gold earrings and a mustard top.',
    tessPortrait,
  ),
  avatar(
    'avatar-jonah',
    'avatar-jonah-pereira',
    'Illustrated portrait of a smiling man with short brown hair and a full beard, wearing a red checked shirt.',
    jonahPortrait,
  ),
];
