// Stand-in for office.js, for tests only. It replaces exactly one file: the vendored
// /static/vendor/office-js/<version>/dist/office.js that xlwings Server's task pane loads
// (the browser test routes that URL to this file). Outside Excel, office.js has no host to
// talk to; this file plays the host. It defines only Office's host objects:
//
//   Office           onReady, context (requirements, platform, ui.displayDialogAsync),
//                    actions.associate, addin.showAsTaskpane
//   Excel            run, RequestContext and the few enums the xlwings client reads, over an
//                    in-memory workbook (sheets of cells with values, number formats, fills,
//                    fonts and notes; charts), with Office.js' load()/sync() call shape
//   CustomFunctions  associate, Error, ErrorCode
//
// Everything else the page loads is the real thing, from our own server: the xlwings
// Office.js client, the custom-functions code, ribbon.js, Bootstrap. The test drives it
// through window.__standin: load(book) seeds the workbook, dump() reads it back,
// clickRibbon(action) plays a ribbon click, callFunction(id, args) plays Excel calling a
// custom function, and dialogs / taskpaneShown record what the user would have seen.
/* eslint-disable no-unused-vars */
(function () {
  "use strict";

  // -- addresses ---------------------------------------------------------------------------
  function colName(index) {
    let name = "";
    for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
      name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
    }
    return name;
  }
  function colIndex(letters) {
    let n = 0;
    for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
    return n - 1;
  }
  function parseCell(text) {
    const m = /^\$?([A-Z]+)\$?(\d+)$/.exec(text);
    if (!m) throw new Error(`stand-in: cannot read the address ${text}`);
    return [Number(m[2]) - 1, colIndex(m[1])];
  }
  function parseRange(address) {
    const bare = address.split("!").pop().toUpperCase();
    const [a, b] = bare.split(":");
    const [r1, c1] = parseCell(a);
    const [r2, c2] = b ? parseCell(b) : [r1, c1];
    return [Math.min(r1, r2), Math.min(c1, c2), Math.abs(r2 - r1) + 1, Math.abs(c2 - c1) + 1];
  }
  function a1(row, col, rows = 1, cols = 1) {
    const first = `${colName(col)}${row + 1}`;
    return rows === 1 && cols === 1 ? first : `${first}:${colName(col + cols - 1)}${row + rows}`;
  }
  function quoted(name) {
    return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`;
  }

  // -- the workbook ------------------------------------------------------------------------
  class SheetModel {
    constructor(name) {
      this.name = name;
      this.cells = new Map(); // "r,c" -> {value, format}
      this.fills = new Map(); // "r,c" -> "#RRGGBB"
      this.fonts = new Map(); // "r,c" -> {bold: true, ...}
      this.notes = new Map(); // "A1" -> text
      this.charts = []; // {name, chartType, source, ...}
    }
    key(r, c) {
      return `${r},${c}`;
    }
    get(r, c) {
      return this.cells.get(this.key(r, c));
    }
    set(r, c, value, format) {
      const old = this.get(r, c);
      if (value === null || value === undefined || value === "") {
        this.cells.delete(this.key(r, c));
      } else {
        this.cells.set(this.key(r, c), { value, format: format || (old && old.format) || "General" });
      }
    }
    used() {
      let top = Infinity, left = Infinity, bottom = -1, right = -1;
      for (const k of this.cells.keys()) {
        const [r, c] = k.split(",").map(Number);
        top = Math.min(top, r); left = Math.min(left, c);
        bottom = Math.max(bottom, r); right = Math.max(right, c);
      }
      return bottom < 0 ? null : [top, left, bottom - top + 1, right - left + 1];
    }
    clear() {
      this.cells.clear();
      this.fills.clear();
      this.fonts.clear();
      this.notes.clear();
      this.charts = [];
    }
  }

  const book = { name: "register.xlsx", sheets: [new SheetModel("Sheet1")], active: 0 };
  const requirements = { ExcelApi: 1.18, CustomFunctionsRuntime: 1.4, SharedRuntime: 1.1, DialogApi: 1.2 };

  // -- Office.js objects over the model: load() and sync() keep Office.js' call shape ------
  function loaded(obj) {
    obj.load = function () {
      return obj;
    };
    obj.isNullObject = false;
    return obj;
  }
  function nullObject() {
    return { isNullObject: true, load() { return this; } };
  }
  function collection(items, extra = {}) {
    const coll = loaded({ items, count: items.length, ...extra });
    coll.getItemAt = (i) => items[i];
    return coll;
  }

  function rangeOf(sheet, row, col, rows, cols) {
    const range = loaded({
      worksheet: null,
      rowIndex: row,
      columnIndex: col,
      rowCount: rows,
      columnCount: cols,
      get address() {
        return `${quoted(sheet.name)}!${a1(row, col, rows, cols)}`;
      },
      get values() {
        return Array.from({ length: rows }, (_, i) =>
          Array.from({ length: cols }, (_, j) => {
            const cell = sheet.get(row + i, col + j);
            return cell ? cell.value : "";
          }),
        );
      },
      set values(matrix) {
        matrix.forEach((line, i) => line.forEach((v, j) => sheet.set(row + i, col + j, v)));
      },
      get numberFormat() {
        return Array.from({ length: rows }, (_, i) =>
          Array.from({ length: cols }, (_, j) => {
            const cell = sheet.get(row + i, col + j);
            return cell ? cell.format : "General";
          }),
        );
      },
      format: {
        fill: {
          get color() {
            return sheet.fills.get(sheet.key(row, col)) || "#FFFFFF";
          },
          set color(value) {
            forEach((k) => sheet.fills.set(k, value));
          },
          clear() {
            forEach((k) => sheet.fills.delete(k));
          },
          load() { return this; },
        },
        font: new Proxy(
          {},
          {
            set(_, property, value) {
              forEach((k) => sheet.fonts.set(k, { ...(sheet.fonts.get(k) || {}), [property]: value }));
              return true;
            },
            get(_, property) {
              if (property === "load") return () => ({});
              return (sheet.fonts.get(sheet.key(row, col)) || {})[property];
            },
          },
        ),
      },
      getSurroundingRegion() {
        const used = sheet.used();
        return used ? rangeOf(sheet, ...used) : rangeOf(sheet, 0, 0, 1, 1);
      },
      select() {},
      clear() {
        forEach((k) => {
          sheet.cells.delete(k);
          sheet.fills.delete(k);
          sheet.fonts.delete(k);
        });
      },
    });
    function forEach(fn) {
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) fn(sheet.key(row + i, col + j));
    }
    return range;
  }

  function chartProxy(chart) {
    return loaded({
      get name() { return chart.name; },
      set name(v) { chart.name = v; },
      get chartType() { return chart.chartType; },
      set chartType(v) { chart.chartType = v; },
      set left(v) { chart.left = v; },
      set top(v) { chart.top = v; },
      set width(v) { chart.width = v; },
      set height(v) { chart.height = v; },
      set style(v) { chart.style = v; },
      setPosition(range) { chart.anchor = range.address; },
      setData(range) { chart.source = range.address; },
    });
  }

  function sheetProxy(model) {
    const proxy = loaded({
      get name() { return model.name; },
      set name(v) { model.name = v; },
      get position() { return book.sheets.indexOf(model); },
      set position(p) {
        book.sheets.splice(book.sheets.indexOf(model), 1);
        book.sheets.splice(p, 0, model);
      },
      visibility: "Visible",
      showGridlines: true,
      names: collection([]),
      tables: collection([]),
      pivotTables: collection([]),
      shapes: collection([]),
      comments: collection([]),
      pageLayout: { getPrintAreaOrNullObject: () => nullObject() },
      activate() { book.active = book.sheets.indexOf(model); },
      delete() { book.sheets.splice(book.sheets.indexOf(model), 1); },
      getUsedRangeOrNullObject() {
        const used = model.used();
        return used ? rangeOf(model, ...used) : nullObject();
      },
      getRange(address) {
        return rangeOf(model, ...parseRange(address));
      },
      getRangeByIndexes(row, col, rows, cols) {
        return rangeOf(model, row, col, rows, cols);
      },
      getRanges() {
        return { clear: () => model.clear() };
      },
      get notes() {
        const notes = [...model.notes.entries()].map(([address, content]) =>
          loaded({ content, getLocation: () => proxy.getRange(address), delete: () => model.notes.delete(address) }),
        );
        return collection(notes, {
          getItemOrNullObject(address) {
            const key = address.replace(/\$/g, "");
            if (!model.notes.has(key)) return nullObject();
            return loaded({ content: model.notes.get(key), delete: () => model.notes.delete(key) });
          },
          add(address, text) {
            model.notes.set(address.split("!").pop().replace(/\$/g, ""), text);
          },
        });
      },
      get charts() {
        return collection(model.charts.map(chartProxy), {
          add(type, source) {
            const chart = { name: `Chart ${model.charts.length + 1}`, chartType: type, source: source.address };
            model.charts.push(chart);
            return chartProxy(chart);
          },
        });
      },
    });
    return proxy;
  }

  function worksheetsProxy() {
    return collection(
      book.sheets.map(sheetProxy),
      {
        getItem(name) {
          const model = book.sheets.find((s) => s.name === name);
          if (!model) throw Object.assign(new Error(`no sheet ${name}`), { code: "ItemNotFound" });
          return sheetProxy(model);
        },
        getItemOrNullObject(name) {
          const model = book.sheets.find((s) => s.name === name);
          return model ? sheetProxy(model) : nullObject();
        },
        getActiveWorksheet() {
          return sheetProxy(book.sheets[book.active]);
        },
        add(name) {
          const model = new SheetModel(name || `Sheet${book.sheets.length + 1}`);
          book.sheets.push(model);
          return sheetProxy(model);
        },
        onCalculated: { add() {} },
      },
    );
  }

  const application = loaded({
    calculationMode: "Automatic",
    cultureInfo: loaded({ name: "en-GB", datetimeFormat: loaded({ shortDatePattern: "dd/MM/yyyy" }) }),
    calculate() {},
    suspendScreenUpdatingUntilNextSync() {},
  });

  class RequestContext {
    constructor() {
      this.application = application;
      this.workbook = loaded({
        get name() { return book.name; },
        get worksheets() { return worksheetsProxy(); },
        names: collection([]),
        comments: collection([]),
        application,
        getSelectedRange() {
          return rangeOf(book.sheets[book.active], 0, 0, 1, 1);
        },
      });
    }
    sync() {
      return Promise.resolve();
    }
  }

  // -- Office ------------------------------------------------------------------------------
  const associated = {};
  const registered = {};
  const dialogs = [];
  let taskpaneShown = 0;
  const ready = { host: "Excel", platform: "OfficeOnline" };

  window.Office = {
    onReady(callback) {
      if (callback) setTimeout(() => callback(ready), 0);
      return Promise.resolve(ready);
    },
    context: {
      platform: "OfficeOnline",
      contentLanguage: "en-GB",
      displayLanguage: "en-GB",
      diagnostics: { version: "stand-in", platform: "OfficeOnline" },
      requirements: {
        isSetSupported(name, version) {
          return name in requirements && Number(version || 0) <= requirements[name] + 1e-9;
        },
      },
      ui: {
        displayDialogAsync(url, options, callback) {
          dialogs.push(url);
          const dialog = { addEventHandler() {}, close() {} };
          if (callback) callback({ status: "succeeded", value: dialog });
        },
      },
    },
    actions: {
      associate(name, handler) {
        associated[name] = handler;
      },
    },
    addin: {
      showAsTaskpane() {
        taskpaneShown += 1;
        return Promise.resolve();
      },
      hide() {
        return Promise.resolve();
      },
    },
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    EventType: { DialogMessageReceived: "dialogMessageReceived", DialogEventReceived: "dialogEventReceived" },
    HostType: { Excel: "Excel" },
    PlatformType: { OfficeOnline: "OfficeOnline" },
  };

  window.Excel = {
    RequestContext,
    async run(batch) {
      return batch(new RequestContext());
    },
    ShapeType: { image: "Image" },
    ClearApplyTo: { all: "All", formats: "Formats", contents: "Contents" },
    CalculationType: { full: "Full" },
  };

  window.CustomFunctions = {
    associate(id, fn) {
      registered[id] = fn;
    },
    Error: class CustomFunctionsError extends Error {
      constructor(code, message) {
        super(message);
        this.code = code;
      }
    },
    ErrorCode: { invalidValue: "#VALUE!", notAvailable: "#N/A", divisionByZero: "#DIV/0!" },
  };

  // -- what the test drives ----------------------------------------------------------------
  window.__standin = {
    load(seed) {
      // seed: {name, sheets: [{name, cells: [[row, col, value, format], ...]}]} (0-based)
      book.name = seed.name;
      book.sheets = seed.sheets.map((s) => {
        const model = new SheetModel(s.name);
        for (const [r, c, value, format] of s.cells) model.set(r, c, value, format);
        for (const [address, text] of Object.entries(s.notes || {})) model.notes.set(address, text);
        return model;
      });
      book.active = 0;
    },
    dump() {
      return {
        name: book.name,
        active: book.sheets[book.active].name,
        sheets: book.sheets.map((s) => {
          const used = s.used();
          const [rows, cols] = used ? [used[0] + used[2], used[1] + used[3]] : [0, 0];
          return {
            name: s.name,
            values: rangeOf(s, 0, 0, Math.max(rows, 1), Math.max(cols, 1)).values,
            fills: Object.fromEntries([...s.fills].map(([k, v]) => [a1(...k.split(",").map(Number)), v])),
            bold: [...s.fonts].filter(([, f]) => f.bold).map(([k]) => a1(...k.split(",").map(Number))),
            notes: Object.fromEntries(s.notes),
            charts: s.charts.map((c) => ({ ...c })),
          };
        }),
      };
    },
    setRequirement(name, version) {
      requirements[name] = version;
    },
    associatedActions: () => Object.keys(associated),
    registeredFunctions: () => Object.keys(registered),
    clickRibbon(action) {
      // Resolves when the handler calls event.completed(), as Excel waits for it.
      return new Promise((resolve, reject) => {
        if (!associated[action]) return reject(new Error(`no handler for ${action}`));
        Promise.resolve(associated[action]({ completed: resolve, source: { id: action } })).catch(reject);
      });
    },
    async callFunction(id, args, address) {
      const invocation = { address: address || "Sheet1!A1", setResult() {}, onCanceled: null };
      try {
        return { value: await registered[id](...args, invocation) };
      } catch (error) {
        return { error: String(error && error.message ? error.message : error), code: error && error.code };
      }
    },
    get dialogs() {
      return dialogs.slice();
    },
    get taskpaneShown() {
      return taskpaneShown;
    },
  };
})();
