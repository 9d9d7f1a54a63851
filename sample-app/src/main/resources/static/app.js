// Live page of the sample: polls the actuator and draws one small chart per metric and loop.
'use strict';

const POLL_MILLIS = 500;
const HISTORY = 120; // samples kept per chart: one minute
const COLORS = { queue: '#58a6ff', lag: '#d29922', util: '#3fb950', stalled: '#f85149' };
const CHECK = new URLSearchParams(location.search).has('check');

const loops = new Map(); // loop name -> { card, queue: [], lag: [], util: [] }
let polls = 0;

function card(loop) {
	let entry = loops.get(loop.name);
	if (entry) {
		return entry;
	}
	const node = document.getElementById('loop-card').content.firstElementChild.cloneNode(true);
	node.dataset.loop = loop.name;
	node.querySelector('.name').textContent = loop.name;
	node.querySelector('.group').textContent = (loop.group !== loop.name) ? 'group ' + loop.group : 'single loop';
	document.getElementById('loops').appendChild(node);
	entry = { card: node, queue: [], lag: [], util: [] };
	loops.set(loop.name, entry);
	return entry;
}

function push(values, value) {
	values.push(value);
	if (values.length > HISTORY) {
		values.shift();
	}
}

// Draw a filled line chart of values, scaled to max (at least floor), newest on the right.
function draw(canvas, values, floor, color, fixedMax) {
	const ratio = window.devicePixelRatio || 1;
	const width = canvas.clientWidth || canvas.width;
	const height = canvas.clientHeight || canvas.height;
	if (canvas.width !== Math.round(width * ratio)) {
		canvas.width = Math.round(width * ratio);
		canvas.height = Math.round(height * ratio);
	}
	const g = canvas.getContext('2d');
	g.setTransform(ratio, 0, 0, ratio, 0, 0);
	g.clearRect(0, 0, width, height);
	const max = fixedMax || Math.max(floor, ...values) * 1.1;
	const step = width / (HISTORY - 1);
	const x0 = width - (values.length - 1) * step;
	const y = (v) => height - 2 - (Math.min(v, max) / max) * (height - 6);
	g.strokeStyle = '#263040';
	g.lineWidth = 1;
	g.beginPath();
	g.moveTo(0, height - 1.5);
	g.lineTo(width, height - 1.5);
	g.stroke();
	if (values.length === 0) {
		return;
	}
	g.beginPath();
	g.moveTo(x0, height);
	values.forEach((v, i) => g.lineTo(x0 + i * step, y(v)));
	g.lineTo(x0 + (values.length - 1) * step, height);
	g.closePath();
	g.fillStyle = color + '33';
	g.fill();
	g.beginPath();
	values.forEach((v, i) => (i === 0 ? g.moveTo(x0, y(v)) : g.lineTo(x0 + i * step, y(v))));
	g.strokeStyle = color;
	g.lineWidth = 1.5;
	g.stroke();
	canvas.dataset.points = String(values.length);
	canvas.dataset.max = max.toFixed(3);
	if (CHECK) {
		inspect(g, canvas);
	}
}

// With ?check: count painted pixels and how often the picture changed between draws, so
// that a headless browser check can prove that the charts render and update.
function inspect(g, canvas) {
	const data = g.getImageData(0, 0, canvas.width, canvas.height).data;
	let painted = 0;
	let hash = 2166136261;
	for (let i = 0; i < data.length; i += 4) {
		if (data[i + 3] !== 0) {
			painted++;
		}
		hash = Math.imul(hash ^ data[i] ^ (data[i + 1] << 8) ^ (data[i + 2] << 16) ^ (data[i + 3] << 24), 16777619);
	}
	const changes = Number(canvas.dataset.changes || 0) + (String(hash) !== canvas.dataset.hash ? 1 : 0);
	canvas.dataset.ink = String(painted);
	canvas.dataset.hash = String(hash);
	canvas.dataset.changes = String(changes);
}

function format(value, unit) {
	if (unit === '%') {
		return (value * 100).toFixed(0) + ' %';
	}
	if (unit === 'ms') {
		return (value < 10 ? value.toFixed(2) : value.toFixed(0)) + ' ms';
	}
	return String(value);
}

function render(report, health) {
	const components = (health && health.components && health.components.eventLoops
		&& health.components.eventLoops.components) || {};
	for (const loop of report.loops) {
		const entry = card(loop);
		push(entry.queue, loop.queue.size);
		push(entry.lag, loop.lagMillis.p99);
		push(entry.util, loop.utilization);
		const node = entry.card;
		const status = loop.stalled ? 'DOWN' : ((components[loop.name] && components[loop.name].status) || loop.state);
		const badge = node.querySelector('.status');
		badge.textContent = loop.stalled ? 'STALLED ' + (loop.stalledForMillis / 1000).toFixed(1) + ' s' : status;
		badge.dataset.status = status;
		node.classList.toggle('stalled', loop.stalled);
		node.querySelector('.queue-value').textContent = format(loop.queue.size);
		node.querySelector('.lag-value').textContent = format(loop.lagMillis.p99, 'ms');
		node.querySelector('.util-value').textContent = format(loop.utilization, '%');
		node.querySelector('.tasks').textContent = 'completed ' + loop.tasks.completed.toLocaleString('en')
			+ ' · inline ' + loop.tasks.inline.toLocaleString('en') + ' · failed ' + loop.tasks.failed;
		draw(node.querySelector('canvas.queue'), entry.queue, 10, COLORS.queue);
		draw(node.querySelector('canvas.lag'), entry.lag, 5, loop.stalled ? COLORS.stalled : COLORS.lag);
		draw(node.querySelector('canvas.util'), entry.util, 1, COLORS.util, 1);
	}
	const overall = document.getElementById('health');
	const status = (health && health.status) || 'UNKNOWN';
	overall.textContent = status;
	overall.dataset.status = status;
}

async function json(url, options) {
	const response = await fetch(url, Object.assign({ headers: { Accept: 'application/json' } }, options));
	const body = await response.json().catch(() => null);
	return { ok: response.ok, status: response.status, body };
}

async function poll() {
	try {
		// health answers 503 with a body while a loop is down: both are useful
		const [report, health, load] = await Promise.all([json('/actuator/eventloops'), json('/actuator/health'),
			json('/api/demo/load')]);
		if (report.ok) {
			render(report.body, health.body);
			polls++;
			document.body.dataset.polls = String(polls);
			document.body.dataset.loops = String(loops.size);
		}
		if (load.ok) {
			const l = load.body;
			document.getElementById('load-status').textContent = (l.running ? 'load: running' : 'load: idle')
				+ ' · ' + l.completed.toLocaleString('en') + ' operations done, ' + l.declined + ' declined';
		}
		if (polls % 2 === 0) {
			const settlement = await json('/api/settlement');
			if (settlement.ok) {
				const s = settlement.body;
				document.getElementById('settlement').textContent = 'batch ' + s.batch + ' on ' + s.settledOn
					+ ': ' + s.accounts + ' accounts, ' + s.postings.toLocaleString('en') + ' postings, total '
					+ s.total + ' (took ' + s.micros + ' µs over ' + s.loops.length + ' ledger loops)';
			}
		}
	}
	catch (error) {
		document.getElementById('health').textContent = 'unreachable';
		document.getElementById('health').dataset.status = 'DOWN';
	}
	finally {
		setTimeout(poll, POLL_MILLIS);
	}
}

function say(text, ok) {
	const message = document.getElementById('message');
	message.textContent = text;
	message.classList.toggle('ok', !!ok);
	message.hidden = false;
}

function button(id, action) {
	document.getElementById(id).addEventListener('click', async () => {
		try {
			await action();
		}
		catch (error) {
			say(String(error));
		}
	});
}

button('load-start', async () => {
	const r = await json('/api/demo/load?seconds=20', { method: 'POST' });
	say(r.ok ? 'Load generator running for 20 s at ' + r.body.rate + ' operations per second.' : r.body.detail, r.ok);
});
button('load-stop', async () => {
	await json('/api/demo/load', { method: 'DELETE' });
	say('Load generator stopped.', true);
});
button('stall', async () => {
	const r = await json('/api/demo/stall?loop=ledger-1&millis=4000', { method: 'POST' });
	say(r.ok ? 'A task now blocks ' + r.body.loop + ' for ' + r.body.millis + ' ms; past its stall threshold of '
		+ r.body.stallThresholdMillis + ' ms the loop, and health, go DOWN, then UP again.' : r.body.detail, r.ok);
});
button('guard', async () => {
	const r = await json('/api/demo/deadlock-guard', { method: 'POST' });
	say(r.status + ' ' + ((r.body && (r.body.title + ': ' + r.body.detail)) || ''), r.status === 409);
});

poll();
