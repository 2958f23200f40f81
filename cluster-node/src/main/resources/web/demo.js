// The demo store's own cart. It knows nothing about VideoShop except the one event the widget
// fires on the page when a shopper presses "Add to cart" in a video call.
(function () {
  'use strict';
  var items = [];
  var cart = document.getElementById('cart');
  var cartButton = document.getElementById('cart-button');

  function add(item, fromCall) {
    items.push(item);
    render();
    cart.hidden = false;
    cartButton.setAttribute('aria-expanded', 'true');
    toast('Added ' + (item.title || item.sku) + ' to your cart' + (fromCall ? ' from your video call.' : '.'));
  }

  function render() {
    var list = document.getElementById('cart-items');
    list.replaceChildren();
    var total = 0;
    var currency = '';
    items.forEach(function (item) {
      var li = document.createElement('li');
      li.setAttribute('data-sku', item.sku);
      var name = document.createElement('span');
      name.textContent = (item.title || item.sku) + ' ';
      var sku = document.createElement('small');
      sku.className = 'sku';
      sku.textContent = item.sku;
      name.append(sku);
      var price = document.createElement('span');
      price.textContent = item.price || '';
      li.append(name, price);
      list.append(li);
      var match = /^([0-9]+(?:\.[0-9]+)?)\s*([A-Z]{3})?$/.exec(item.price || '');
      if (match) {
        total += Number(match[1]);
        currency = match[2] || currency;
      }
    });
    document.getElementById('cart-count').textContent = String(items.length);
    document.getElementById('cart-empty').hidden = items.length > 0;
    var totalLine = document.getElementById('cart-total');
    totalLine.hidden = !total;
    totalLine.textContent = 'Total: ' + total.toFixed(2) + (currency ? ' ' + currency : '');
  }

  var toastTimer = null;
  function toast(text) {
    var element = document.getElementById('toast');
    element.textContent = text;
    element.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { element.hidden = true; }, 4000);
  }

  // The store's own buttons...
  document.querySelectorAll('.product .add').forEach(function (button) {
    button.addEventListener('click', function () {
      var product = button.closest('.product').dataset;
      add({ sku: product.sku, title: product.title, price: product.price }, false);
    });
  });
  // ...and the widget's: one event, detail {sku, title, price, productUrl}.
  document.addEventListener('videoshop:add-to-cart', function (event) {
    add(event.detail, true);
  });

  cartButton.addEventListener('click', function () {
    cart.hidden = !cart.hidden;
    cartButton.setAttribute('aria-expanded', String(!cart.hidden));
  });
  render();
})();
